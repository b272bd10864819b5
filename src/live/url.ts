// The live database's URL: checked when the inputs are read, resolved from the environment when the
// run starts (live-database-url-env), named in messages without its credentials, and split into what
// pg connects with and the migration tool's own parameters (golang-migrate's x-migrations-table).
// Nothing here ever puts the URL itself in a message: it carries the production password.
import { GateError } from '../errors.js'

const SCHEMES = ['postgres:', 'postgresql:']

/** Throws a one-line GateError naming `input` when `url` is not a PostgreSQL URL. */
export function checkLiveUrl(url: string, input: string): URL {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new GateError(`${input}: not a URL (expected postgresql://user:password@host:port/database)`, input)
  }
  if (!SCHEMES.includes(parsed.protocol)) {
    throw new GateError(
      `${input}: a ${parsed.protocol.replace(/:$/, '')}:// URL; the live database must be given as postgres:// or postgresql://`,
      input,
    )
  }
  return parsed
}

/** What the live phase connects to: the URL from the input, or from the environment variable it names. */
export interface LiveTarget {
  url: string
  /** The input it came from, for messages. */
  input: 'live-database-url' | 'live-database-url-env'
}

/**
 * The live URL of a run in mode live, read from `env` when live-database-url-env names a variable;
 * undefined outside mode live. An unset or empty variable is a one-line error naming it.
 */
export function resolveLiveTarget(
  config: { mode: string; liveDatabaseUrl?: string; liveDatabaseUrlEnv?: string },
  env: NodeJS.ProcessEnv = process.env,
): LiveTarget | undefined {
  if (config.mode !== 'live') return undefined
  if (config.liveDatabaseUrl) return { url: config.liveDatabaseUrl, input: 'live-database-url' }
  const name = config.liveDatabaseUrlEnv
  if (!name) throw new GateError('live-database-url: required when mode is live', 'live-database-url')
  const url = env[name]?.trim()
  if (!url) {
    throw new GateError(
      `live-database-url-env: the environment variable ${name} is not set or empty`,
      'live-database-url-env',
    )
  }
  checkLiveUrl(url, `live-database-url-env (${name})`)
  return { url, input: 'live-database-url-env' }
}

/** host:port/database, as messages and the report name the live database: no user, no password. */
export function describeLive(url: string): string {
  const u = new URL(url)
  const host = u.hostname || new URLSearchParams(u.search).get('host') || 'localhost'
  return `${host}:${u.port || '5432'}/${decodeURIComponent(u.pathname.replace(/^\//, '')) || '(the user name)'}`
}

/**
 * The URL pg connects with, and the parameters only the migration tool reads (x-*: golang-migrate's
 * x-migrations-table and friends), which libpq would refuse and pg would ignore.
 */
export function splitLiveUrl(url: string): { connect: string; toolParams: Map<string, string> } {
  const u = new URL(url)
  const toolParams = new Map<string, string>()
  // Edited as text: URLSearchParams would re-encode the other parameters (a space as +).
  const kept: string[] = []
  for (const pair of u.search.slice(1).split('&')) {
    if (!pair) continue
    const [key = '', value = ''] = pair.split('=', 2)
    const name = decodeURIComponent(key)
    if (name.startsWith('x-')) toolParams.set(name, decodeURIComponent(value.replace(/\+/g, ' ')))
    else kept.push(pair)
  }
  u.search = kept.length ? `?${kept.join('&')}` : ''
  return { connect: u.toString(), toolParams }
}
