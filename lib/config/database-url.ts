/**
 * DATABASE_URL may name several servers, a primary and its standbys, as libpq does:
 * `postgres://user:pass@db1:5432,db2:5432/prizeledger?target_session_attrs=read-write`.
 * postgres.js (the app's pool, migrations, the job queue) tries them in order on every new
 * connection and keeps the first that is writable, so the app follows a promotion without a
 * restart. This checks, at start-up, what postgres.js would otherwise take silently or reject
 * deep in a request: the shape of each host, and that several hosts come with a session
 * attribute that keeps writes off a standby.
 */
export type DatabaseHost = { host: string; port: number };

const PROTOCOLS = ["postgres:", "postgresql:"];
/** What postgres.js accepts; only the first two guarantee a writable server. */
const SESSION_ATTRIBUTES = ["read-write", "primary", "read-only", "standby", "prefer-standby"];
const WRITABLE = ["read-write", "primary"];

/** The servers a URL names, in the order they are tried; the port defaults to 5432. */
export function databaseHosts(url: string): DatabaseHost[] {
  const authority = url.slice(url.indexOf("://") + 3).split(/[/?]/)[0] ?? "";
  const hosts = decodeURIComponent(authority.slice(authority.lastIndexOf("@") + 1));
  return hosts.split(",").map((entry) => {
    const [host = "", port] = entry.split(":");
    return { host, port: port === undefined ? 5432 : Number(port) };
  });
}

/** What is wrong with a DATABASE_URL, in words, or undefined when it is sound. */
export function databaseUrlProblem(url: string): string | undefined {
  const scheme = url.slice(0, url.indexOf("://") + 1);
  if (!PROTOCOLS.includes(scheme))
    return "must be a URL starting with postgres:// or postgresql://";
  const hosts = databaseHosts(url);
  for (const { host, port } of hosts) {
    // One empty host is libpq's "the default" (PGHOST, else localhost); among several, a typo.
    if (host === "" && hosts.length > 1) {
      return "names an empty host (two commas in a row, or a trailing one?)";
    }
    if (hosts.length > 1 && host.startsWith("[")) {
      return "cannot list IPv6 addresses among several hosts: give those servers names";
    }
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      return `has a bad port for ${host}: a number from 1 to 65535`;
    }
  }
  let parsed: URL;
  try {
    // As postgres.js reads the rest of it: the URL with the first host alone.
    const first = url.slice(url.indexOf("://") + 3).split(/[/?]/)[0] ?? "";
    parsed = new URL(url.replace(first, first.split(",")[0] ?? ""));
  } catch {
    return "is not a valid URL (a user name or password with @, : or / must be percent-encoded)";
  }
  const attribute = parsed.searchParams.get("target_session_attrs");
  if (attribute !== null && !SESSION_ATTRIBUTES.includes(attribute)) {
    return `has target_session_attrs=${attribute}: use one of ${SESSION_ATTRIBUTES.join(", ")}`;
  }
  if (hosts.length > 1 && (attribute === null || !WRITABLE.includes(attribute))) {
    return "names several hosts: add target_session_attrs=read-write, or writes may reach a standby";
  }
  return undefined;
}
