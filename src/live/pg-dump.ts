// pg_dump against the live database, for the prediction's copy of its schema (predict.ts). pg_dump
// only reads (one REPEATABLE READ, READ ONLY transaction, ACCESS SHARE locks under
// --lock-wait-timeout), and it must be at least the live server's major: an older one refuses the
// server. The password goes through the environment (PGPASSWORD, PGPASSFILE), never the command line,
// where any user of the machine could read it; what pg_dump says on stderr is scrubbed and clipped.
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, readdirSync, realpathSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { clipMiddle } from '../clip.js'
import { withoutCredentials } from '../postgres/credentials.js'
import type { ResourceTracker } from '../resource-tracker.js'
import { scrub } from '../scrub.js'
import { LIVE_APPLICATION_NAME, LIVE_LIMITS } from './limits.js'

export interface PgDumpBinary {
  path: string
  major: number
  /** "17.2" */
  version: string
}

/** How long one pg_dump may run: pg_dump turns the server's statement_timeout off for itself. */
export const PG_DUMP_TIMEOUT_MS = 120_000

/** Every pg_dump found: the standard install dirs (/usr/lib/postgresql/N/bin, /usr/pgsql-N/bin) and PATH. */
export function pgDumpCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const found: string[] = []
  for (const [root, bin] of [
    ['/usr/lib/postgresql', (e: string) => join('/usr/lib/postgresql', e, 'bin')],
    ['/usr', (e: string) => (e.startsWith('pgsql-') ? join('/usr', e, 'bin') : '')],
  ] as const) {
    let entries: string[] = []
    try {
      entries = readdirSync(root)
    } catch {
      continue
    }
    for (const e of entries) if (bin(e)) found.push(join(bin(e), 'pg_dump'))
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) if (dir) found.push(join(dir, 'pg_dump'))
  const unique = new Map<string, string>()
  for (const p of found) {
    if (!existsSync(p)) continue
    let real = p
    try {
      real = realpathSync(p)
    } catch {
      // a dangling link: probed as it is, and fails there
    }
    if (!unique.has(real)) unique.set(real, p)
  }
  return [...unique.values()]
}

/** The binary's version, or null when it does not run or does not say one. */
export function probePgDump(path: string): PgDumpBinary | null {
  try {
    const out = execFileSync(path, ['--version'], { encoding: 'utf8', timeout: 10_000, stdio: 'pipe' })
    const m = /pg_dump \(PostgreSQL\) (\d+)(?:\.(\d+))?/.exec(out)
    if (!m) return null
    return { path, major: Number(m[1]), version: m[2] ? `${m[1]}.${m[2]}` : String(m[1]) }
  } catch {
    return null
  }
}

/**
 * The newest pg_dump whose major is at least `serverMajor`, or the reason there is none (one
 * sentence naming what was found), for the note that says the prediction was skipped.
 */
export function choosePgDump(
  serverMajor: number,
  candidates: string[] = pgDumpCandidates(),
): { binary: PgDumpBinary } | { reason: string } {
  const binaries = candidates.map(probePgDump).filter((b): b is PgDumpBinary => b !== null)
  const usable = binaries.filter((b) => b.major >= serverMajor).sort((a, b) => b.major - a.major)
  if (usable[0]) return { binary: usable[0] }
  const seen = [...new Set(binaries.map((b) => b.version))].join(', ')
  return {
    reason: `no pg_dump of PostgreSQL ${serverMajor} or later is installed (the live server is ${serverMajor}; ${
      seen
        ? `found pg_dump ${seen}, which refuses a newer server`
        : 'found none on PATH or in the usual install directories'
    }): install the PostgreSQL ${serverMajor} client`,
  }
}

/** What pg_dump is given: the URL without credentials, and the credentials in its environment. */
export function pgDumpConnection(url: string): { dbname: string; env: Record<string, string> } {
  const u = new URL(url)
  const env: Record<string, string> = { PGAPPNAME: LIVE_APPLICATION_NAME }
  const param = (key: string) => {
    for (const pair of u.search.slice(1).split('&')) {
      const [k = '', v = ''] = pair.split('=', 2)
      if (decodeURIComponent(k).toLowerCase() === key) return decodeURIComponent(v)
    }
    return undefined
  }
  const password = u.password ? decodeURIComponent(u.password) : param('password')
  if (password) env.PGPASSWORD = password
  const passfile = param('passfile')
  if (passfile) env.PGPASSFILE = passfile
  env.PGCONNECT_TIMEOUT = String(Math.ceil(LIVE_LIMITS.connectTimeoutMs / 1000))
  return { dbname: withoutCredentials(url), env }
}

export interface PgDumpRun {
  /** The SQL text pg_dump wrote. */
  sql: string
  /** The command line it ran with (program and arguments): never a credential. */
  argv: string[]
}

/**
 * Runs pg_dump with `args` (besides the connection and the lock timeout) against `url`; resolves to
 * its output, or throws an Error whose one-line message is pg_dump's stderr, scrubbed and clipped.
 */
export function runPgDump(
  binary: PgDumpBinary,
  url: string,
  args: string[],
  resources: ResourceTracker,
): Promise<PgDumpRun> {
  const { dbname, env } = pgDumpConnection(url)
  const argv = [
    binary.path,
    `--dbname=${dbname}`,
    `--lock-wait-timeout=${LIVE_LIMITS.lockTimeoutMs}`,
    '--no-password',
    ...args,
  ]
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const stop = resources.track(
      'pg_dump of the live database',
      async () => {
        child.kill('SIGKILL')
      },
      () => child.kill('SIGKILL'),
    )
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (b: Buffer) => out.push(b))
    child.stderr.on('data', (b: Buffer) => err.push(b))
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, PG_DUMP_TIMEOUT_MS)
    const finish = (error?: Error) => {
      clearTimeout(timer)
      stop()
      if (error) reject(error)
      else resolve({ sql: Buffer.concat(out).toString('utf8'), argv })
    }
    child.on('error', (e) => finish(new Error(`pg_dump could not start: ${scrub(e.message)}`)))
    child.on('close', (code) => {
      if (code === 0) return finish()
      const said = Buffer.concat(err)
        .toString('utf8')
        .trim()
        .replace(/\s*\n\s*/g, ' ')
      const why = timedOut ? `stopped after ${PG_DUMP_TIMEOUT_MS / 1000} s` : said || `exit code ${code}`
      finish(new Error(`pg_dump failed: ${clipMiddle(scrub(why))}`))
    })
  })
}
