import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FaultQueue } from './faults.js';
import { handleContact } from './contact-route.js';
import { handleMessage } from './message-route.js';
import { handleMessages } from './messages-route.js';
import { newLogId, plainCode, type Reply } from './reply.js';
import type { EmulatorState } from './state.js';
import { handleToken } from './token-route.js';
import type { Fault, FaultRoute, RequestRecord } from './types.js';
import { handleWebhook } from './webhook-route.js';

const HOOK_PREFIX = '/open-apis/bot/v2/hook/';
const TOKEN_PATH = '/open-apis/auth/v3/tenant_access_token/internal';
const MESSAGES_PATH = '/open-apis/im/v1/messages';
const CONTACT_PATH = '/open-apis/contact/v3/users/batch_get_id';

/** Creates the emulator's HTTP server (not yet listening). */
export function createEmulatorServer(state: EmulatorState, faults: FaultQueue): Server {
  return createServer((req, res) => {
    void serve(state, faults, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
}

async function serve(
  state: EmulatorState,
  faults: FaultQueue,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const bodyText = await readBody(req);
  const url = new URL(req.url ?? '/', 'http://emulator');
  const route = routeOf(req.method ?? 'GET', url.pathname);
  const record: RequestRecord = {
    route,
    method: req.method ?? 'GET',
    path: url.pathname + url.search,
    headers: { ...req.headers },
    bodyText,
    json: tryParse(bodyText),
    at: new Date(state.clock.now()),
  };
  state.requests.push(record);
  const fault = route === 'unknown' ? undefined : faults.take(route);
  if (fault) {
    record.fault = fault.type;
    const handled = await applyFault(fault, req.socket, res, record);
    if (handled) return;
  }
  const reply = handle(state, route, url, req, bodyText);
  // The answer is in flight after the work is done: the client cannot know it succeeded.
  if (fault?.type === 'holdReply') await new Promise((resolve) => setTimeout(resolve, fault.ms));
  write(res, reply, record);
}

function routeOf(method: string, path: string): FaultRoute | 'unknown' {
  if ((method === 'PATCH' || method === 'DELETE') && path.startsWith(`${MESSAGES_PATH}/`)) return 'message';
  if (method !== 'POST') return 'unknown';
  if (path === CONTACT_PATH) return 'contact';
  if (path.startsWith(HOOK_PREFIX)) return 'webhook';
  if (path === TOKEN_PATH) return 'token';
  if (path === MESSAGES_PATH) return 'messages';
  return 'unknown';
}

function handle(
  state: EmulatorState,
  route: FaultRoute | 'unknown',
  url: URL,
  req: IncomingMessage,
  bodyText: string,
): Reply {
  switch (route) {
    case 'webhook': {
      const token = url.pathname.slice(HOOK_PREFIX.length);
      if (token === '' || token.includes('/')) return plainCode(404, 99991201, 'resource not find');
      return handleWebhook(state, { token, bodyText, remoteAddress: req.socket.remoteAddress ?? '' });
    }
    case 'token':
      return handleToken(state, bodyText);
    case 'messages':
      return handleMessages(state, {
        authorization: req.headers.authorization,
        receiveIdType: url.searchParams.get('receive_id_type'),
        bodyText,
      });
    case 'message':
      return handleMessage(state, {
        method: req.method === 'DELETE' ? 'DELETE' : 'PATCH',
        messageId: decodeURIComponent(url.pathname.slice(MESSAGES_PATH.length + 1)),
        authorization: req.headers.authorization,
        bodyText,
      });
    case 'contact':
      return handleContact(state, req.headers.authorization, bodyText);
    case 'unknown':
      return plainCode(404, 99991201, 'resource not find');
  }
}

/** Applies a fault; returns true when it answered (or killed) the request itself. */
async function applyFault(
  fault: Fault,
  socket: Socket,
  res: ServerResponse,
  record: RequestRecord,
): Promise<boolean> {
  switch (fault.type) {
    case 'delay':
      await new Promise((resolve) => setTimeout(resolve, fault.ms));
      return false;
    case 'holdReply':
      return false;
    case 'hang':
      // Never answer: the client must time out. close() tears the socket down.
      return true;
    case 'reset':
      // An RST after the request was read: the client cannot tell whether it was processed.
      socket.resetAndDestroy();
      return true;
    case 'http':
      write(
        res,
        {
          status: fault.status,
          body: fault.body ?? '',
          ...(fault.headers ? { headers: fault.headers } : {}),
        },
        record,
      );
      return true;
    case 'code': {
      const body = { code: fault.code, msg: fault.msg ?? `emulated error ${fault.code}` };
      write(
        res,
        { status: fault.status ?? 200, body, ...(fault.headers ? { headers: fault.headers } : {}) },
        record,
      );
      return true;
    }
    case 'rateLimit': {
      const headers = { 'x-ogw-ratelimit-limit': '50', 'x-ogw-ratelimit-reset': String(fault.resetSeconds) };
      const body = { code: 99991400, msg: 'request trigger frequency limit' };
      write(res, { status: fault.status ?? 429, body, headers }, record);
      return true;
    }
  }
}

function write(res: ServerResponse, reply: Reply, record: RequestRecord): void {
  const isText = typeof reply.body === 'string';
  const payload = isText ? reply.body : JSON.stringify(reply.body);
  record.status = reply.status;
  if (!isText) record.code = (reply.body as { code?: number }).code;
  res.writeHead(reply.status, {
    'content-type': isText ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8',
    'x-tt-logid': newLogId(),
    ...reply.headers,
  });
  res.end(payload);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
