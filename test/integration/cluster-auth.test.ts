// The throwaway cluster's door, for real: while a local cluster runs, another OS user on the machine
// must not get in (trust auth on 127.0.0.1 let anyone in as superuser, and COPY ... TO PROGRAM ran
// commands as the server's OS user). The gate's own URL carries a random per-run password; that
// password must stay out of the process list, the cluster's files, the ledger, the printed lines
// and the JSON report of a real run.
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findBinaries } from '../../src/postgres/binaries.js'
import { localProvider } from '../../src/postgres/local.js'
import { serverUser } from '../../src/postgres/privileges.js'
import type { Server } from '../../src/postgres/provider.js'
import { clusterDirsOf } from '../support/leftovers.js'
import { pythonWithAlembic } from '../support/python.js'
import { ResourceTracker } from '../../src/resource-tracker.js'

const repo = join(import.meta.dirname, '..', '..')
const scratch = mkdtempSync(join(tmpdir(), 'mg-cluster-auth-'))
// As root the server runs as another user, and the probes below run as nobody: both must traverse.
chmodSync(scratch, 0o755)
const ledger = join(scratch, 'ledger.json')
/** The cluster's tracker, writing a ledger as the action's does. */
const resources = new ResourceTracker({ ledger })

let server: Server
let url: string
let password: string
let dir: string

beforeAll(async () => {
  const before = new Set(clusterDirsOf(process.pid))
  server = await localProvider({ resources }).start()
  dir = clusterDirsOf(process.pid).filter((d) => !before.has(d))[0] as string
  url = server.urlFor('postgres')
  password = decodeURIComponent(new URL(url).password)
})

afterAll(async () => {
  await server?.stop()
  rmSync(scratch, { recursive: true, force: true })
})

async function connects(connectionString: string): Promise<string> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 10_000 })
  try {
    await client.connect()
    return (await client.query<{ u: string }>('SELECT current_user AS u')).rows[0]?.u ?? ''
  } finally {
    await client.end().catch(() => {})
  }
}

/** Every file under `root`, read as bytes (the data dir holds binary files; a password is plain text in any of them). */
function filesUnder(root: string): string[] {
  const out: string[] = []
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const path = join(root, entry.name)
    if (entry.isDirectory()) out.push(...filesUnder(path))
    else if (entry.isFile()) out.push(path)
  }
  return out
}

/** The socket dir and port the running server wrote into postmaster.pid (lines 4 and 5). */
function socketOf(clusterDir: string): { port: string; socketDir: string } {
  const lines = readFileSync(join(clusterDir, 'data', 'postmaster.pid'), 'utf8').split('\n')
  return { port: lines[3] ?? '', socketDir: lines[4] ?? '' }
}

describe('the gate itself', () => {
  it('gets a URL with a random per-run password, which works; without it the server refuses', async () => {
    expect(password).toMatch(/^[0-9a-f]{32,}$/)
    expect(await connects(url)).toBe('postgres')
    const bare = new URL(url)
    bare.password = ''
    await expect(connects(bare.toString())).rejects.toThrow(/password/i)
    const wrong = new URL(url)
    wrong.password = 'not-the-password'
    await expect(connects(wrong.toString())).rejects.toThrow(/password authentication failed/)
  })

  it('keeps the password out of the process list, every file of the cluster and the ledger', () => {
    expect(dir).toBeTruthy()
    const ps = spawnSync('ps', ['-eww', '-o', 'args'], { encoding: 'utf8' })
    expect(ps.stdout).toContain(join(dir, 'data')) // the server is listed: the check below looks at it
    expect(ps.stdout).not.toContain(password)
    const files = filesUnder(dir)
    expect(files).toContain(join(dir, 'data', 'pg_hba.conf'))
    for (const file of files) expect(readFileSync(file).includes(password), file).toBe(false)
    // initdb's password file is gone once initdb has read it.
    expect(files.filter((f) => /pw|pass/i.test(f.slice(dir.length)))).toEqual([])
    const recorded = readFileSync(ledger, 'utf8')
    expect(recorded).toContain(dir)
    expect(recorded).not.toContain(password)
  })

  it('reaches its server over no socket anyone else can reach: dirs 0700, owned by the server user', () => {
    const { socketDir } = socketOf(dir)
    expect(socketDir).toBe(join(dir, 'sock'))
    const owner = serverUser()?.uid ?? process.getuid?.()
    for (const d of [dir, socketDir]) {
      const st = statSync(d)
      expect((st.mode & 0o777).toString(8), d).toBe('700')
      expect(st.uid, d).toBe(owner)
    }
  })
})

describe('another OS user on the machine', () => {
  const psql = join(findBinaries()?.dir ?? '', 'psql')
  /** psql run as nobody against the cluster; `env` adds PGPASSWORD and the like. */
  const asNobody = (host: string, port: string, env: Record<string, string> = {}) =>
    spawnSync(
      'setpriv',
      [
        '--reuid=nobody',
        '--regid=nogroup',
        '--clear-groups',
        psql,
        '-X',
        '-w',
        '-h',
        host,
        '-p',
        port,
        '-U',
        'postgres',
        '-d',
        'postgres',
        '-Atc',
        'SELECT current_user',
      ],
      { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: '/', PGPASSFILE: '/dev/null', ...env } },
    )

  it('cannot connect over TCP without the password, with a wrong one, or through the socket', (ctx) => {
    if (process.getuid?.() !== 0) {
      console.log('cluster-auth: not running as root, so there is no second OS user to connect as; skipped')
      ctx.skip()
    }
    if (!existsSync(psql)) {
      console.log(`cluster-auth: no psql beside the server binaries (${psql}); skipped`)
      ctx.skip()
    }
    const { port, socketDir } = socketOf(dir)
    const noPassword = asNobody('127.0.0.1', port)
    expect(noPassword.status).not.toBe(0)
    expect(noPassword.stderr).toMatch(/no password supplied|password authentication failed/)
    const wrong = asNobody('127.0.0.1', port, { PGPASSWORD: 'not-the-password' })
    expect(wrong.status).not.toBe(0)
    expect(wrong.stderr).toMatch(/password authentication failed for user "postgres"/)
    const socket = asNobody(socketDir, port)
    expect(socket.status).not.toBe(0)
    expect(socket.stderr).toMatch(/Permission denied/)
    // The control: nobody's psql does reach the server, so the refusals above are the server's (or
    // the socket dir's) doing, not a psql that cannot run.
    const right = asNobody('127.0.0.1', port, { PGPASSWORD: password })
    expect(right.stderr).toBe('')
    expect(right.stdout.trim()).toBe('postgres')
  })
})

describe('a real run through the CLI', () => {
  function cli(args: string[], env: Record<string, string> = {}) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(repo, 'src', 'cli.ts'), ...args], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', ...env },
      timeout: 180_000,
    })
    return { code: r.status, out: `${r.stdout}\n${r.stderr}` }
  }
  // Any URL that carries a password, whatever the password.
  const URL_WITH_PASSWORD = /postgres(?:ql)?(?:\+\w+)?:\/\/[^:/@\s]+:[^@\s]+@/

  it('Alembic: the run passes, and its password is nowhere in its output, its report or the process list', async () => {
    // A python that records the URL the helper gets, and the process list at that moment, then runs
    // the real interpreter: the only way to learn a run's password from outside. A helper started
    // ahead of its database (--await-url) reads the URL as its first stdin line: passed on, after it
    // is recorded.
    const urls = join(scratch, 'urls.txt')
    const psList = join(scratch, 'ps.txt')
    const wrapper = join(scratch, 'python')
    const python = await pythonWithAlembic()
    writeFileSync(
      wrapper,
      [
        '#!/bin/sh',
        `if [ -n "$MIGRATION_GATE_URL" ]; then printf '%s\\n' "$MIGRATION_GATE_URL" >> '${urls}'; ps -eww -o args >> '${psList}'; fi`,
        'case " $* " in *" --await-url "*)',
        '  IFS= read -r first',
        `  printf '%s\\n' "$first" | sed -n 's/.*"url":"\\([^"]*\\)".*/\\1/p' >> '${urls}'; ps -eww -o args >> '${psList}'`,
        `  { printf '%s\\n' "$first"; exec cat; } | '${python}' "$@"`,
        '  exit $? ;;',
        'esac',
        `exec '${python}' "$@"`,
        '',
      ].join('\n'),
      { mode: 0o755 },
    )
    const report = join(scratch, 'alembic-report.json')
    const run = cli([
      'check',
      join(repo, 'test', 'fixtures', 'alembic-clean'),
      '--postgres',
      'local',
      '--python',
      wrapper,
      '--report-json',
      report,
      '--verbose', // every debug line too
    ])
    expect(run.out).toMatch(/migration-gate: PASS/)
    expect(run.out).toMatch(/^debug: /m)
    expect(run.code).toBe(0)
    const seen = [...new Set(readFileSync(urls, 'utf8').trim().split('\n'))]
    expect(seen.length).toBeGreaterThan(0)
    const passwords = seen.map((u) => decodeURIComponent(new URL(u).password))
    for (const pw of passwords) expect(pw).toMatch(/^[0-9a-f]{32,}$/)
    const processes = readFileSync(psList, 'utf8')
    expect(processes).toMatch(/postgres -D \S+migration-gate-pg-/) // the server was running then
    for (const pw of passwords) {
      expect(run.out).not.toContain(pw)
      expect(readFileSync(report, 'utf8')).not.toContain(pw)
      expect(processes).not.toContain(pw)
    }
    expect(run.out).not.toMatch(URL_WITH_PASSWORD)
    expect(readFileSync(report, 'utf8')).not.toMatch(URL_WITH_PASSWORD)
  })

  it('SQL (golang-migrate, natively): the run passes and prints or reports no URL with a password', () => {
    const report = join(scratch, 'sql-report.json')
    const run = cli([
      'check',
      join(repo, 'test', 'fixtures', 'sql-golang-clean'),
      '--postgres',
      'local',
      '--report-json',
      report,
    ])
    expect(run.out).toMatch(/migration-gate: PASS/)
    expect(run.code).toBe(0)
    expect(run.out).not.toMatch(URL_WITH_PASSWORD)
    expect(readFileSync(report, 'utf8')).not.toMatch(URL_WITH_PASSWORD)
  })
})
