/**
 * Database URLs and the password kept beside them.
 *
 * The password lives in VS Code's SecretStorage and is joined to the URL from
 * the settings only in what is sent to the server process. This module does it
 * on strings alone, so it can be tested without VS Code.
 */

import { PASSWORD_SECRET_PREFIX } from './constants';

export const MASK = '********';

/** The parts of `scheme://[user[:password]@]host[:port][/path][?query][#fragment]`. */
export interface ParsedDatabaseUrl {
  scheme: string;
  /** The user as written (percent-encoded), or undefined when the URL has no `@`. */
  user: string | undefined;
  /** The password as written (percent-encoded), or undefined when there is none. */
  password: string | undefined;
  /** `host[:port]` as written; may be empty (Unix socket) or a bracketed IPv6 address. */
  hostPort: string;
  /** Everything after the authority: path, query and fragment. */
  rest: string;
  /** True when the query carries a `password=` parameter (libpq accepts one). */
  queryPassword: boolean;
}

const URL_RE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)(.*)$/s;

export function parseDatabaseUrl(url: string): ParsedDatabaseUrl | undefined {
  const match = URL_RE.exec(url.trim());
  if (!match) {
    return undefined;
  }
  const [, scheme = '', authority = '', rest = ''] = match;
  // The user info ends at the last '@': a password typed unencoded may hold one.
  const at = authority.lastIndexOf('@');
  const userInfo = at >= 0 ? authority.slice(0, at) : undefined;
  const hostPort = at >= 0 ? authority.slice(at + 1) : authority;
  let user: string | undefined;
  let password: string | undefined;
  if (userInfo !== undefined) {
    const colon = userInfo.indexOf(':');
    user = colon >= 0 ? userInfo.slice(0, colon) : userInfo;
    password = colon >= 0 ? userInfo.slice(colon + 1) : undefined;
  }
  const query = rest.split('#', 1)[0] ?? '';
  const queryPassword = /[?&]password=/i.test(query);
  return { scheme, user, password, hostPort, rest, queryPassword };
}

/** True when the URL already carries a password, in the user info or the query. */
export function hasPassword(url: string): boolean {
  const parsed = parseDatabaseUrl(url);
  return parsed !== undefined && (parsed.password !== undefined || parsed.queryPassword);
}

/**
 * The URL with `password` put into its user info, percent-encoded:
 * `postgresql://user@host/db` becomes `postgresql://user:pw@host/db`.
 *
 * Left as it is when there is no password, when the URL already has one (what
 * the user wrote wins) or when it is not a URL (a libpq `key=value` string).
 */
export function injectPassword(url: string, password: string | undefined): string {
  if (!password || !url) {
    return url;
  }
  const parsed = parseDatabaseUrl(url);
  if (!parsed || parsed.password !== undefined || parsed.queryPassword) {
    return url;
  }
  // encodeURIComponent, not the URL class: WHATWG leaves '%' and some
  // sub-delimiters alone in user info, and libpq would then decode "%41" in a
  // password as "A".
  const userInfo = `${parsed.user ?? ''}:${encodeURIComponent(password)}`;
  return `${parsed.scheme}://${userInfo}@${parsed.hostPort}${parsed.rest}`;
}

/** The URL with any password replaced by a mask, for showing and logging. */
export function redactUrl(url: string): string {
  const parsed = parseDatabaseUrl(url);
  if (!parsed) {
    return url;
  }
  let result = url.trim();
  if (parsed.password !== undefined) {
    result = `${parsed.scheme}://${parsed.user ?? ''}:${MASK}@${parsed.hostPort}${parsed.rest}`;
  }
  return result.replace(/([?&]password=)[^&#]*/gi, `$1${MASK}`);
}

/**
 * Who and where a password is for: `user@host:port` (the database name is
 * left out: a role's password is the same for every database of a server).
 * Undefined when the value is not a URL.
 *
 * The stored password is bound to this, so a workspace that points
 * `attune.databaseUrl` at another host is never sent a password typed for
 * the user's own server.
 */
export function credentialTarget(url: string): string | undefined {
  const parsed = parseDatabaseUrl(url);
  if (!parsed) {
    return undefined;
  }
  let user = parsed.user ?? '';
  try {
    user = decodeURIComponent(user);
  } catch {
    // Keep the user as written when it is not valid percent-encoding.
  }
  return `${user}@${parsed.hostPort.toLowerCase()}`;
}

/** The SecretStorage key of the password for a database URL. */
export function passwordSecretKey(url: string): string | undefined {
  const target = credentialTarget(url);
  return target === undefined ? undefined : `${PASSWORD_SECRET_PREFIX}${target}`;
}
