import { JobStatus } from '../../../src/gen/notify/v1/schedule_service_pb.js';
import { api } from '../api.js';
import { ErrorBox } from '../components/common.js';
import { useRpc } from '../components/use-rpc.js';
import { formatTime } from '../format.js';
import { fieldText } from '../forms.js';
import { useI18n } from '../i18n.js';
import { BASE, navigate } from '../router.js';

const JOB_STATUSES = [JobStatus.WAITING, JobStatus.TRIGGERED, JobStatus.CANCELLED];

/** `/console/jobs?user_id=…&status=…`: scheduled jobs. */
export function JobsPage({ query }: { query: URLSearchParams }) {
  const { t, language } = useI18n();
  const userId = query.get('user_id') ?? '';
  const statusParam = (query.get('status') ?? '').toUpperCase();
  const status =
    JOB_STATUSES.find((candidate) => JobStatus[candidate] === statusParam) ?? JobStatus.UNSPECIFIED;
  const pageToken = query.get('page_token') ?? '';
  const jobs = useRpc(
    () => api.schedule.listJobs({ userId, status, pageSize: 50, pageToken }),
    [userId, status, pageToken],
  );
  const search = (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const params = new URLSearchParams();
    const user = fieldText(form, 'user_id');
    const chosen = fieldText(form, 'status');
    if (user) params.set('user_id', user);
    if (chosen) params.set('status', chosen);
    navigate(`jobs${params.size ? `?${params}` : ''}`);
  };
  return (
    <>
      <h1>{t('jobsTitle')}</h1>
      <form class="filters" onSubmit={search} role="search">
        <label>
          {t('userId')}
          <input name="user_id" value={userId} autocomplete="off" />
        </label>
        <label>
          {t('status')}
          <select
            name="status"
            value={status === JobStatus.UNSPECIFIED ? '' : JobStatus[status].toLowerCase()}
          >
            <option value="">{t('anyJobStatus')}</option>
            {JOB_STATUSES.map((option) => (
              <option value={JobStatus[option].toLowerCase()}>{JobStatus[option]}</option>
            ))}
          </select>
        </label>
        <button type="submit">{t('search')}</button>
      </form>
      <ErrorBox error={jobs.error} />
      {jobs.data && jobs.data.jobs.length === 0 ? <p>{t('noJobs')}</p> : null}
      {jobs.data && jobs.data.jobs.length > 0 ? (
        <div class="table-scroll">
          <table data-testid="jobs">
            <thead>
              <tr>
                <th>{t('jobKey')}</th>
                <th>{t('userId')}</th>
                <th>{t('status')}</th>
                <th>{t('dueAt')}</th>
                <th>{t('navNotifications')}</th>
              </tr>
            </thead>
            <tbody>
              {jobs.data.jobs.map((job) => (
                <tr>
                  <td>
                    <code>{job.jobKey}</code>
                  </td>
                  <td>
                    <a href={`${BASE}users/${encodeURIComponent(job.userId)}`}>{job.userId}</a>
                  </td>
                  <td>
                    <span class="badge">{JobStatus[job.status]}</span>
                  </td>
                  <td>{formatTime(job.dueAt, language)}</td>
                  <td>
                    {job.notificationIds.map((id) => (
                      <a class="chip" href={`${BASE}notifications/${encodeURIComponent(id)}`}>
                        {id.slice(0, 8)}
                      </a>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {jobs.data?.nextPageToken ? (
        <nav class="pager">
          <a
            href={`${BASE}jobs?${new URLSearchParams({ ...Object.fromEntries(query), page_token: jobs.data.nextPageToken })}`}
          >
            {t('nextPage')}
          </a>
        </nav>
      ) : null}
    </>
  );
}
