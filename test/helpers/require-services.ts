import { connect } from 'node:net';

/** Integration tests never skip silently: fail the run with how to start what is missing. */
const SERVICES = [
  {
    name: 'MariaDB/MySQL',
    host: '127.0.0.1',
    port: 3306,
    start: 'start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd',
  },
  { name: 'RabbitMQ', host: '127.0.0.1', port: 5672, start: 'rabbitmq-server -detached' },
] as const;

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(2000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

export default async function requireServices(): Promise<void> {
  const missing: string[] = [];
  for (const service of SERVICES) {
    if (!(await reachable(service.host, service.port))) {
      missing.push(
        `${service.name} is not reachable at ${service.host}:${service.port}; start it with: ${service.start}`,
      );
    }
  }
  if (missing.length > 0) {
    throw new Error(`Integration tests need real servers.\n${missing.join('\n')}`);
  }
}
