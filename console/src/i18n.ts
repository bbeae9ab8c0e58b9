import { useEffect, useState } from 'preact/hooks';

/** The console's languages: Chinese (the product's home) and English. */
export type Language = 'zh-CN' | 'en';

const en = {
  appName: 'notify-gateway console',
  navOverview: 'Overview',
  navNotifications: 'Notifications',
  navDead: 'Dead',
  navJobs: 'Jobs',
  navChannels: 'Channels',
  navUsers: 'Users',
  language: 'Language',
  logout: 'Log out',
  loginTitle: 'Sign in with an API key',
  loginHint: 'The key stays in this browser tab (sessionStorage) and is sent only to this gateway.',
  apiKey: 'API key',
  signIn: 'Sign in',
  keyRefused: 'The gateway refused this API key (UNAUTHENTICATED). Check the key and try again.',
  keyLacksScope: 'This API key lacks the scope for that action (PERMISSION_DENIED).',
  loading: 'Loading…',
  refresh: 'Refresh',
  liveEvery: 'refreshes every 5 s',
  statusByChannel: 'Records by status and channel',
  channel: 'Channel',
  status: 'Status',
  total: 'Total',
  lastHour: 'Last hour, per minute',
  sent: 'Sent',
  failed: 'Failed',
  dead: 'Dead',
  queues: 'Queues',
  queue: 'Queue',
  messages: 'Messages',
  deadLetters: 'Dead letters (notify.dead)',
  brokerUnavailable: 'The broker could not be asked.',
  recentErrors: 'Errors in the last hour',
  errorCode: 'Error code',
  count: 'Count',
  lastSeen: 'Last seen',
  none: 'None.',
  search: 'Search',
  userId: 'User id',
  anyStatus: 'Any status',
  anyChannel: 'Any channel',
  created: 'Created',
  attempts: 'Attempts',
  nextPage: 'Next page',
  firstPage: 'First page',
  noResults: 'No notifications match.',
  notification: 'Notification',
  message: 'Message',
  trigger: 'Trigger',
  dedupeKey: 'Dedupe key',
  providerMessageId: 'Provider message id',
  lastError: 'Last error',
  sentAt: 'Sent at',
  nextAttemptAt: 'Next attempt at',
  traceId: 'Trace id',
  event: 'Event',
  timeline: 'Attempts',
  attemptNo: '#',
  outcome: 'Outcome',
  duration: 'Duration',
  startedAt: 'Started',
  possibleDuplicate: 'possible duplicate',
  requestPayload: 'Request (redacted)',
  responsePayload: 'Response (redacted)',
  retry: 'Retry',
  cancel: 'Cancel',
  recall: 'Recall',
  acknowledge: 'Acknowledge',
  acknowledged: 'Acknowledged',
  recalledAt: 'Recalled at',
  confirmAction: 'Really {action} this notification?',
  confirm: 'Confirm',
  dismiss: 'Back',
  actionDone: '{action}: done.',
  deadTitle: 'Dead notifications by error code',
  redrive: 'Redrive',
  dryRun: 'Dry run',
  dryRunResult: '{count} notifications would be redriven.',
  redriveResult: '{count} notifications redriven.',
  confirmRedrive: 'Redrive {count} notifications',
  flaggedResult:
    '{count} may have been delivered already (outcome unknown, past the provider’s idempotency window)',
  jobsTitle: 'Scheduled jobs',
  jobKey: 'Job key',
  dueAt: 'Due at',
  anyJobStatus: 'Any job status',
  noJobs: 'No jobs match.',
  channelsTitle: 'Channels',
  plugin: 'Plugin',
  enabled: 'Enabled',
  userTitle: 'User {user}',
  openUser: 'Open',
  settings: 'Settings (masked)',
  quietHours: 'Quiet hours',
  testChannel: 'Send test',
  testSent: 'Test message sent.',
  noConfig: 'This user has no channel settings.',
  eventTitle: 'Event {id}',
  decisions: 'Decisions',
  eventType: 'Type',
  severity: 'Severity',
  summary: 'Summary',
  fingerprint: 'Fingerprint',
  occurredAt: 'Occurred at',
  attributes: 'Attributes',
  rule: 'Rule',
  reason: 'Reason',
  notFound: 'Not found.',
  yes: 'yes',
  no: 'no',
};

type Messages = typeof en;

const zh: Messages = {
  appName: 'notify-gateway 控制台',
  navOverview: '概览',
  navNotifications: '通知',
  navDead: '死信',
  navJobs: '定时任务',
  navChannels: '渠道',
  navUsers: '用户',
  language: '语言',
  logout: '退出',
  loginTitle: '使用 API Key 登录',
  loginHint: 'Key 只保存在当前浏览器标签页（sessionStorage），只发送给本网关。',
  apiKey: 'API Key',
  signIn: '登录',
  keyRefused: '网关拒绝了这个 API Key（UNAUTHENTICATED），请检查后重试。',
  keyLacksScope: '这个 API Key 没有执行该操作的权限（PERMISSION_DENIED）。',
  loading: '加载中…',
  refresh: '刷新',
  liveEvery: '每 5 秒刷新',
  statusByChannel: '各渠道、各状态的通知数',
  channel: '渠道',
  status: '状态',
  total: '合计',
  lastHour: '最近一小时（每分钟）',
  sent: '已发送',
  failed: '失败',
  dead: '死信',
  queues: '队列',
  queue: '队列',
  messages: '消息数',
  deadLetters: '死信队列（notify.dead）',
  brokerUnavailable: '无法查询消息队列。',
  recentErrors: '最近一小时的错误',
  errorCode: '错误码',
  count: '次数',
  lastSeen: '最近一次',
  none: '无。',
  search: '查询',
  userId: '用户 ID',
  anyStatus: '全部状态',
  anyChannel: '全部渠道',
  created: '创建时间',
  attempts: '尝试次数',
  nextPage: '下一页',
  firstPage: '第一页',
  noResults: '没有匹配的通知。',
  notification: '通知',
  message: '消息',
  trigger: '触发',
  dedupeKey: '去重键',
  providerMessageId: '渠道消息 ID',
  lastError: '最近错误',
  sentAt: '发送时间',
  nextAttemptAt: '下次尝试',
  traceId: 'Trace ID',
  event: '事件',
  timeline: '发送记录',
  attemptNo: '#',
  outcome: '结果',
  duration: '耗时',
  startedAt: '开始时间',
  possibleDuplicate: '可能重复',
  requestPayload: '请求（已脱敏）',
  responsePayload: '响应（已脱敏）',
  retry: '重试',
  cancel: '取消',
  recall: '撤回',
  acknowledge: '确认',
  acknowledged: '已确认',
  recalledAt: '撤回时间',
  confirmAction: '确定要{action}这条通知吗？',
  confirm: '确定',
  dismiss: '返回',
  actionDone: '{action}：已完成。',
  deadTitle: '按错误码分组的死信通知',
  redrive: '重新投递',
  dryRun: '试运行',
  dryRunResult: '将重新投递 {count} 条通知。',
  redriveResult: '已重新投递 {count} 条通知。',
  confirmRedrive: '确认重新投递 {count} 条通知',
  flaggedResult: '其中 {count} 条可能已送达（结果未知，且已超过渠道的幂等窗口）',
  jobsTitle: '定时任务',
  jobKey: '任务键',
  dueAt: '到期时间',
  anyJobStatus: '全部任务状态',
  noJobs: '没有匹配的任务。',
  channelsTitle: '渠道',
  plugin: '插件',
  enabled: '启用',
  userTitle: '用户 {user}',
  openUser: '打开',
  settings: '设置（已脱敏）',
  quietHours: '免打扰时段',
  testChannel: '发送测试',
  testSent: '测试消息已发送。',
  noConfig: '该用户没有渠道设置。',
  eventTitle: '事件 {id}',
  decisions: '决策',
  eventType: '类型',
  severity: '级别',
  summary: '摘要',
  fingerprint: '指纹',
  occurredAt: '发生时间',
  attributes: '属性',
  rule: '规则',
  reason: '原因',
  notFound: '未找到。',
  yes: '是',
  no: '否',
};

/** A message key of the dictionaries. */
export type MessageKey = keyof Messages;

const DICTIONARIES: Record<Language, Messages> = { en, 'zh-CN': zh };
const STORAGE_KEY = 'ngw.language';
const listeners = new Set<(language: Language) => void>();

function initialLanguage(): Language {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (stored === 'en' || stored === 'zh-CN') return stored;
  return navigator.languages.some((tag) => tag.toLowerCase().startsWith('zh')) ? 'zh-CN' : 'en';
}

let current: Language = initialLanguage();

/** Switches every mounted component to `language` and remembers the choice. */
export function setLanguage(language: Language): void {
  current = language;
  localStorage.setItem(STORAGE_KEY, language);
  document.documentElement.lang = language;
  for (const listener of listeners) listener(language);
}

/** Translates `key`, filling `{name}` placeholders from `values`. */
export function translate(language: Language, key: MessageKey, values: Record<string, string | number> = {}) {
  return DICTIONARIES[language][key].replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? ''));
}

/** The current language and a translator bound to it; re-renders on a switch. */
export function useI18n() {
  const [language, setCurrent] = useState(current);
  useEffect(() => {
    listeners.add(setCurrent);
    return () => listeners.delete(setCurrent);
  }, []);
  return {
    language,
    t: (key: MessageKey, values?: Record<string, string | number>) => translate(language, key, values),
  };
}

document.documentElement.lang = current;
