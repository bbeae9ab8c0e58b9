import type http from 'node:http';
import type http2 from 'node:http2';
import type { Socket } from 'node:net';
import type { SniffedProtocol } from './protocol-sniffer.js';
import type { HttpRequest, HttpResponse } from './request-handler.js';

/** Knows every socket, HTTP/2 session and HTTP/1.1 request in flight, so a listener can drain and then cut them. */
export class ConnectionTracker {
  private readonly sockets = new Set<Socket>();
  private readonly http2Sockets = new Set<Socket>();
  private readonly sessions = new Set<http2.ServerHttp2Session>();
  /** Responses in flight per HTTP/1.1 socket; a socket with none is idle keep-alive and safe to close. */
  private readonly http1InFlight = new Map<Socket, Set<HttpResponse>>();
  private closing = false;
  private onEmpty: (() => void) | undefined;

  /** idleTimeoutMs: an HTTP/2 session with no open stream for this long is closed. */
  constructor(private readonly idleTimeoutMs: number) {}

  /** Registers a freshly accepted socket (destroyed at once when draining has begun). */
  trackSocket(socket: Socket): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.once('close', () => {
      this.sockets.delete(socket);
      this.http2Sockets.delete(socket);
      this.http1InFlight.delete(socket);
      if (this.sockets.size === 0) this.onEmpty?.();
    });
  }

  /** Records which server a socket was handed to. */
  markProtocol(socket: Socket, protocol: SniffedProtocol): void {
    if (protocol === 'http2') this.http2Sockets.add(socket);
    else this.http1InFlight.set(socket, new Set());
  }

  /** Registers an HTTP/2 session (its socket is wrapped in a proxy, so sessions are tracked on their own). */
  trackSession(session: http2.ServerHttp2Session): void {
    this.sessions.add(session);
    // A client that sent only the preface (or stopped calling) would hold its socket for ever.
    let open = 0;
    let idle: NodeJS.Timeout | undefined;
    const armIdle = (): void => {
      idle = setTimeout(() => session.close(), this.idleTimeoutMs);
      idle.unref();
    };
    session.on('stream', (stream: http2.ServerHttp2Stream) => {
      open++;
      clearTimeout(idle);
      stream.once('close', () => {
        if (--open === 0 && !session.closed) armIdle();
      });
    });
    session.once('close', () => {
      clearTimeout(idle);
      this.sessions.delete(session);
    });
    armIdle();
    if (this.closing) session.close();
  }

  /** Counts an HTTP/1.1 request while it runs, then passes it to handle. */
  trackHttp1(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    handle: (req: HttpRequest, res: HttpResponse) => void,
  ): void {
    const socket = req.socket;
    const inFlight = this.http1InFlight.get(socket) ?? new Set<HttpResponse>();
    this.http1InFlight.set(socket, inFlight);
    inFlight.add(res);
    if (this.closing) res.setHeader('connection', 'close');
    res.once('close', () => {
      inFlight.delete(res);
      // Keep-alive would otherwise hold the socket open until the client's idle timeout.
      if (this.closing && inFlight.size === 0) socket.destroySoon();
    });
    handle(req, res);
  }

  /** Refuses new work and resolves once every socket has closed or graceMs has passed. */
  async drain(graceMs: number): Promise<void> {
    this.closing = true;
    // GOAWAY: clients stop opening streams, open streams finish, then the session closes its socket.
    for (const session of this.sessions) session.close();
    for (const socket of this.sockets) {
      if (this.http2Sockets.has(socket)) continue;
      const inFlight = this.http1InFlight.get(socket);
      if (inFlight === undefined || inFlight.size === 0) {
        // Still sniffing, or idle keep-alive: nothing is lost by closing now.
        socket.destroy();
        continue;
      }
      for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
    }
    if (this.sockets.size === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, graceMs);
      this.onEmpty = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Cuts every session and socket still open. */
  destroyAll(): void {
    for (const session of this.sessions) session.destroy();
    for (const socket of this.sockets) socket.destroy();
  }
}
