import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

/** A TCP forwarder to a real server whose link tests can freeze, cut or take down. */
export interface TcpProxy {
  readonly port: number;
  /** Stop forwarding bytes both ways without closing anything (a network partition). */
  freeze(): void;
  /** Resume forwarding after {@link freeze}. */
  thaw(): void;
  /** Destroy every open connection and refuse new ones (the server is down). */
  down(): Promise<void>;
  /** Accept connections again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a proxy on an ephemeral loopback port forwarding to `host:port`. */
export async function startTcpProxy(host: string, port: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let frozen = false;
  let server: Server | undefined;
  let listenPort = 0;

  const held: Array<() => void> = [];
  const forward = (from: Socket, to: Socket): void => {
    sockets.add(from);
    from.on('close', () => {
      sockets.delete(from);
      to.destroy();
    });
    from.on('error', () => from.destroy());
    // Frozen bytes are held, not dropped, so a thaw resumes the stream intact like a healed network.
    from.on('data', (chunk: Buffer) => (frozen ? held.push(() => to.write(chunk)) : to.write(chunk)));
  };
  const listen = async (): Promise<void> => {
    const created = createServer((client) => {
      const upstream = connect({ host, port });
      forward(client, upstream);
      forward(upstream, client);
    });
    await new Promise<void>((resolve) => created.listen(listenPort, '127.0.0.1', resolve));
    listenPort = (created.address() as AddressInfo).port;
    server = created;
  };
  const down = async (): Promise<void> => {
    const closing = server;
    server = undefined;
    held.length = 0;
    for (const socket of sockets) socket.destroy();
    if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()));
  };

  await listen();
  return {
    port: listenPort,
    freeze() {
      frozen = true;
    },
    thaw() {
      frozen = false;
      for (const flush of held.splice(0)) flush();
    },
    down,
    up: listen,
    close: down,
  };
}
