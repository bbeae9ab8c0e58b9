import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, apiKey, describeError, onAuthRequired } from './api.js';
import { fieldText } from './forms.js';
import { setLanguage, useI18n, type Language } from './i18n.js';
import { ChannelsPage } from './pages/channels.js';
import { DeadPage } from './pages/dead.js';
import { EventPage } from './pages/event.js';
import { JobsPage } from './pages/jobs.js';
import { NotificationDetailPage } from './pages/notification-detail.js';
import { NotificationsPage } from './pages/notifications.js';
import { OverviewPage } from './pages/overview.js';
import { UserLookupPage, UserPage } from './pages/user.js';
import { BASE, onLinkClick, useRoute } from './router.js';
import './app.css';

const NAV = [
  { path: '', key: 'navOverview' },
  { path: 'notifications', key: 'navNotifications' },
  { path: 'dead', key: 'navDead' },
  { path: 'jobs', key: 'navJobs' },
  { path: 'users', key: 'navUsers' },
  { path: 'channels', key: 'navChannels' },
] as const;

function Page() {
  const { segments, query } = useRoute();
  const [first, second] = segments;
  switch (first) {
    case undefined:
      return <OverviewPage />;
    case 'notifications':
      return second ? <NotificationDetailPage id={second} /> : <NotificationsPage query={query} />;
    case 'dead':
      return <DeadPage />;
    case 'events':
      return second ? <EventPage eventId={second} /> : <NotFound />;
    case 'jobs':
      return <JobsPage query={query} />;
    case 'users':
      return second ? <UserPage userId={second} /> : <UserLookupPage />;
    case 'channels':
      return <ChannelsPage />;
    default:
      return <NotFound />;
  }
}

function NotFound() {
  const { t } = useI18n();
  return <h1>{t('notFound')}</h1>;
}

/** Asks for an API key and keeps it only once a read call with it succeeds. */
function Login({ refused }: { refused: boolean }) {
  const { t } = useI18n();
  const [error, setError] = useState(refused ? t('keyRefused') : '');
  const [busy, setBusy] = useState(false);
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const key = fieldText(event.currentTarget as HTMLFormElement, 'api_key');
    if (!key) return;
    apiKey.set(key);
    setBusy(true);
    api.config.listChannels({}).then(
      () => location.reload(),
      (failure: unknown) => {
        const described = describeError(failure);
        apiKey.clear();
        setBusy(false);
        setError(described.unauthenticated ? t('keyRefused') : `${described.code} ${described.message}`);
      },
    );
  };
  return (
    <main class="login">
      <form onSubmit={submit} class="card">
        <h1>{t('loginTitle')}</h1>
        <p class="muted">{t('loginHint')}</p>
        <label>
          {t('apiKey')}
          <input name="api_key" type="password" autocomplete="off" required autofocus />
        </label>
        <button type="submit" disabled={busy}>
          {t('signIn')}
        </button>
        {error ? (
          <p class="error" role="alert" data-testid="login-error">
            {error}
          </p>
        ) : null}
      </form>
    </main>
  );
}

function LanguageSwitch() {
  const { t, language } = useI18n();
  return (
    <label class="language">
      <span class="visually-hidden">{t('language')}</span>
      <select
        value={language}
        onChange={(event) => setLanguage(event.currentTarget.value as Language)}
        data-testid="language"
      >
        <option value="zh-CN">中文</option>
        <option value="en">English</option>
      </select>
    </label>
  );
}

function App() {
  const { t } = useI18n();
  const { segments } = useRoute();
  const [needsLogin, setNeedsLogin] = useState(false);
  useEffect(() => onAuthRequired(() => setNeedsLogin(true)), []);
  if (needsLogin) {
    return (
      <>
        <header class="topbar">
          <strong>{t('appName')}</strong>
          <LanguageSwitch />
        </header>
        <Login refused={apiKey.get() !== null} />
      </>
    );
  }
  const current = segments[0] ?? '';
  return (
    <>
      <header class="topbar">
        <a class="brand" href={BASE}>
          {t('appName')}
        </a>
        <nav class="nav" aria-label="main">
          {NAV.map((item) => (
            <a href={BASE + item.path} aria-current={current === item.path ? 'page' : undefined}>
              {t(item.key)}
            </a>
          ))}
        </nav>
        <LanguageSwitch />
        {apiKey.get() ? (
          <button
            type="button"
            class="link"
            onClick={() => {
              apiKey.clear();
              location.reload();
            }}
          >
            {t('logout')}
          </button>
        ) : null}
      </header>
      <main id="main">
        <Page />
      </main>
    </>
  );
}

document.addEventListener('click', onLinkClick);
const root = document.getElementById('app');
if (root) render(<App />, root);
