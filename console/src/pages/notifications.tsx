import { api } from '../api.js';
import { ErrorBox, StatusBadge } from '../components/common.js';
import { useRpc } from '../components/use-rpc.js';
import { FILTERABLE_STATUSES, formatTime, statusFromParam, statusParam } from '../format.js';
import { fieldText } from '../forms.js';
import { useI18n } from '../i18n.js';
import { BASE, navigate } from '../router.js';

const PAGE_SIZE = 50;

/** `/console/notifications?user_id=…&status=…&channel=…`: search with filters and paging. */
export function NotificationsPage({ query }: { query: URLSearchParams }) {
  const { t, language } = useI18n();
  const userId = query.get('user_id') ?? '';
  const status = statusFromParam(query.get('status'));
  const channel = query.get('channel') ?? '';
  const pageToken = query.get('page_token') ?? '';
  const channels = useRpc(() => api.config.listChannels({}), []);
  const list = useRpc(
    () =>
      api.notifications.listNotifications({
        userId,
        statuses: status === undefined ? [] : [status],
        channel,
        pageSize: PAGE_SIZE,
        pageToken,
      }),
    [userId, status, channel, pageToken],
  );

  const search = (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const params = new URLSearchParams();
    for (const name of ['user_id', 'status', 'channel']) {
      const value = fieldText(form, name);
      if (value) params.set(name, value);
    }
    navigate(`notifications${params.size ? `?${params}` : ''}`);
  };
  const pageLink = (token: string) => {
    const params = new URLSearchParams(query);
    if (token) params.set('page_token', token);
    else params.delete('page_token');
    return `${BASE}notifications?${params}`;
  };

  return (
    <>
      <h1>{t('navNotifications')}</h1>
      <form class="filters" onSubmit={search} role="search">
        <label>
          {t('userId')}
          <input name="user_id" value={userId} autocomplete="off" />
        </label>
        <label>
          {t('status')}
          <select name="status" value={status === undefined ? '' : statusParam(status)}>
            <option value="">{t('anyStatus')}</option>
            {FILTERABLE_STATUSES.map((option) => (
              <option value={statusParam(option)}>{statusParam(option).toUpperCase()}</option>
            ))}
          </select>
        </label>
        <label>
          {t('channel')}
          <select name="channel" value={channel}>
            <option value="">{t('anyChannel')}</option>
            {channels.data?.channels.map((entry) => (
              <option value={entry.id}>{entry.id}</option>
            ))}
          </select>
        </label>
        <button type="submit">{t('search')}</button>
      </form>
      <ErrorBox error={list.error} />
      {!list.data ? (
        list.loading ? (
          <p>{t('loading')}</p>
        ) : null
      ) : list.data.notifications.length === 0 ? (
        <p>{t('noResults')}</p>
      ) : (
        <div class="table-scroll">
          <table data-testid="notifications">
            <thead>
              <tr>
                <th>{t('notification')}</th>
                <th>{t('userId')}</th>
                <th>{t('channel')}</th>
                <th>{t('status')}</th>
                <th>{t('attempts')}</th>
                <th>{t('created')}</th>
                <th>{t('message')}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.notifications.map((notification) => (
                <tr>
                  <td>
                    <a href={`${BASE}notifications/${encodeURIComponent(notification.id)}`}>
                      <code>{notification.id.slice(0, 8)}</code>
                    </a>
                  </td>
                  <td>
                    <a href={`${BASE}users/${encodeURIComponent(notification.userId)}`}>
                      {notification.userId}
                    </a>
                  </td>
                  <td>{notification.channel}</td>
                  <td>
                    <StatusBadge status={notification.status} />
                  </td>
                  <td class="num">{notification.attemptCount}</td>
                  <td>{formatTime(notification.createdAt, language)}</td>
                  <td class="clip">{notification.messageText}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav class="pager">
        {pageToken ? <a href={pageLink('')}>{t('firstPage')}</a> : null}
        {list.data?.nextPageToken ? <a href={pageLink(list.data.nextPageToken)}>{t('nextPage')}</a> : null}
      </nav>
    </>
  );
}
