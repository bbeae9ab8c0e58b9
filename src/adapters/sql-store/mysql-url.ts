/** Connection settings parsed from a `mysql://user:pass@host:port/db` URL. */
export interface MysqlConnectionSettings {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string | undefined;
  readonly database: string;
}

/**
 * Parses `mysql://user:pass@host:port/db` (also `mariadb://`; port defaults to 3306; user and
 * password are percent-decoded). Throws an Error naming the problem, never echoing the password.
 */
export function parseMysqlUrl(url: string): MysqlConnectionSettings {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('database url is not a valid URL (expected mysql://user:pass@host:port/db)');
  }
  if (parsed.protocol !== 'mysql:' && parsed.protocol !== 'mariadb:') {
    throw new Error(`database url must start with mysql:// or mariadb://, got ${parsed.protocol}//`);
  }
  if (parsed.hostname === '') throw new Error('database url has no host');
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (database === '' || database.includes('/')) {
    throw new Error('database url must name one database: mysql://user:pass@host:port/db');
  }
  const firstParam = [...parsed.searchParams.keys()][0];
  if (firstParam !== undefined) {
    // Silently ignoring e.g. ?ssl=true would connect in clear text while the operator thinks otherwise.
    throw new Error(`database url parameter "${firstParam}" is not supported`);
  }
  const port = parsed.port === '' ? 3306 : Number(parsed.port);
  return {
    // IPv6 hosts come back bracketed from URL; mysql2 wants the bare address.
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    user: parsed.username === '' ? 'root' : decodeURIComponent(parsed.username),
    password: parsed.password === '' ? undefined : decodeURIComponent(parsed.password),
    database,
  };
}
