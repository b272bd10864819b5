// No credential of the database-url leaves the gate: for every form libpq reads one in (the URL's
// userinfo, the password= query parameter, percent-encoded keys and values, passfile=, sslpassword=,
// key=value strings), the real CLI runs against a real server that checks the password, and every
// output (stdout, stderr, the JSON report, the ledger) is searched for the secret. Each form runs
// twice: on the server (a migration whose error repeats its connection string, password and all) and
// against a closed port (the start failure names the URL). The ledger of a run killed mid-way must
// not hold the secret, and the post step must still drop what it lists, with the password it gets back
// from the database-url input. A project that builds its URL from parts gets a ?password= in its
// password part.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cleanupLedger } from '../../src/postgres/ledger-cleanup.js'
import type { Server } from '../../src/postgres/provider.js'
import { gateDatabasesOn, holdServer, type Held } from '../support/leftovers.js'
import { pythonWithAlembic } from '../support/python.js'
import { startTestServer } from '../support/server.js'

const root = join(import.meta.dirname, '..', '..')
const fixture = join(root, 'test', 'fixtures', 'alembic-echo-url')
const scratch = mkdtempSync(join(tmpdir(), 'mg-credentials-test-'))
/**
 * The role the gate connects as, with a password each form sets: the test server asks every
 * connection for one (scram). Without CREATEROLE the migrations run as this role, with its URL, so a
 * migration that repeats its connection string repeats the database-url's credentials.
 */
const ROLE = 'gate_pw'

let server: Server
let adminUrl: string
let port: string
let python: string
const held: Held[] = []

beforeAll(async () => {
  server = await startTestServer()
  adminUrl = server.urlFor('postgres')
  port = new URL(adminUrl).port
  python = await pythonWithAlembic()
  await admin((c) => c.query(`CREATE ROLE ${ROLE} LOGIN CREATEDB PASSWORD 'not-yet-set'`))
})

afterAll(async () => {
  for (const h of held) if (h.child.exitCode === null && h.child.signalCode === null) h.child.kill('SIGKILL')
  await Promise.all(held.map((h) => h.exited))
  await server?.stop()
  rmSync(scratch, { recursive: true, force: true })
})

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: adminUrl })
  await c.connect()
  try {
    return await fn(c)
  } finally {
    await c.end()
  }
}

interface Form {
  name: string
  /** The database-url for a server on `host:port`. */
  url: (hostPort: string) => string
  /** What must appear in no output: a part of the secret every encoding of it keeps intact. */
  secret: string
  /** The password the form gives ROLE. */
  password: string
}

const FORMS: Form[] = [
  {
    name: 'the password in the userinfo',
    url: (at) => `postgresql://${ROLE}:Userinfo1Secret@${at}/postgres`,
    secret: 'Userinfo1Secret',
    password: 'Userinfo1Secret',
  },
  {
    name: 'a password= query parameter',
    url: (at) => `postgresql://${ROLE}@${at}/postgres?sslmode=disable&password=Query2Secret`,
    secret: 'Query2Secret',
    password: 'Query2Secret',
  },
  {
    name: 'a percent-encoded userinfo password',
    url: (at) => `postgresql://${ROLE}:Encoded3Secret%40%3A%2F%3F%26%3D%2B%20x@${at}/postgres`,
    secret: 'Encoded3Secret',
    password: 'Encoded3Secret@:/?&=+ x',
  },
  {
    name: 'a password= query parameter with a percent-encoded key and value',
    url: (at) => `postgresql://${ROLE}@${at}/postgres?pass%77ord=Encoded4Secret%26%3D%25x`,
    secret: 'Encoded4Secret',
    password: 'Encoded4Secret&=%x',
  },
  {
    name: 'a passfile= query parameter',
    url: (at) => `postgresql://${ROLE}:Userinfo5Secret@${at}/postgres?passfile=/nonexistent/Passfile5Secret`,
    secret: 'Passfile5Secret',
    password: 'Userinfo5Secret',
  },
  {
    name: 'an sslpassword= query parameter',
    url: (at) => `postgresql://${ROLE}:Userinfo6Secret@${at}/postgres?sslpassword=SslPassword6Secret`,
    secret: 'SslPassword6Secret',
    password: 'Userinfo6Secret',
  },
]

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 120_000,
  })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** Every place the CLI wrote to, by name, for a message that says where the secret leaked. */
function outputs(run: { stdout: string; stderr: string }, reportJson: string): Record<string, string> {
  return {
    stdout: run.stdout,
    stderr: run.stderr,
    'report-json': existsSync(reportJson) ? readFileSync(reportJson, 'utf8') : '',
  }
}

function expectNoSecret(where: Record<string, string>, secret: string): void {
  for (const [name, text] of Object.entries(where)) {
    expect(text.includes(secret), `${name} holds the secret: ${text}`).toBe(false)
  }
}

describe.each(FORMS)('database-url with $name', (form) => {
  beforeAll(async () => {
    await admin((c) => c.query(`ALTER ROLE ${ROLE} PASSWORD '${form.password.replace(/'/g, "''")}'`))
  })

  it('a run on the server prints and stores the error that repeats it without the secret', () => {
    const report = join(scratch, `report-${FORMS.indexOf(form)}.json`)
    const run = cli(
      'check',
      fixture,
      '--postgres',
      'url',
      '--database-url',
      form.url(`127.0.0.1:${port}`),
      '--python',
      python,
      '--mode',
      'roundtrip',
      '--report-json',
      report,
    )
    // The replay ran (the password was right) and reached the error that names the connection.
    expect(run.code, run.stderr).toBe(1)
    const parsed = JSON.parse(readFileSync(report, 'utf8'))
    expect(parsed.findings.map((f: { id: string }) => f.id)).toEqual(['upgrade-failed'])
    expect(JSON.stringify(parsed.findings)).toMatch(/cannot use postgresql\+\w+:\/\/\w+/)
    expectNoSecret(outputs(run, report), form.secret)
  })

  it('a start failure on a closed port names the server without the secret', () => {
    const report = join(scratch, `unreachable-${FORMS.indexOf(form)}.json`)
    const run = cli(
      'check',
      fixture,
      '--postgres',
      'url',
      '--database-url',
      form.url('127.0.0.1:1'),
      '--python',
      python,
      '--report-json',
      report,
    )
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(
      /^migration-gate: database-url: cannot connect to postgresql:\/\/\w+(:\*\*\*)?@127\.0\.0\.1:1\//m,
    )
    expectNoSecret(outputs(run, report), form.secret)
  })

  it('the ledger of a killed run holds no secret, and the post step still drops its database', async () => {
    const ledger = join(scratch, `ledger-${FORMS.indexOf(form)}.json`)
    const url = form.url(`127.0.0.1:${port}`)
    const h = await holdServer('url', { HOLD_DATABASE_URL: url, HOLD_LEDGER: ledger })
    held.push(h)
    h.child.kill('SIGKILL')
    await h.exited
    const recorded = readFileSync(ledger, 'utf8')
    expect(recorded).toContain(h.info.database)
    expectNoSecret({ ledger: recorded }, form.secret)
    expect(await gateDatabasesOn(adminUrl)).toContain(h.info.database)

    const post = await cleanupLedger(ledger, { databaseUrl: url })
    expect(post.problems).toEqual([])
    expect(post.removed).toEqual([`database ${h.info.database} on 127.0.0.1:${port}`])
    expect(await gateDatabasesOn(adminUrl)).not.toContain(h.info.database)
  })
})

describe("the passwords the gate makes for a run (its local cluster's, a url run's own role's)", () => {
  it.each([
    ['a local cluster', () => ['--postgres', 'local']],
    ['a url run as a user who may create roles', () => ['--postgres', 'url', '--database-url', adminUrl]],
  ])('%s: appear in no output, bare or in a URL', (label, provider) => {
    const report = join(scratch, `report-${label.replace(/\W+/g, '-')}.json`)
    const run = cli('check', fixture, ...provider(), '--python', python, '--mode', 'roundtrip', '--report-json', report)
    expect(run.code, run.stderr).toBe(1)
    const findings = JSON.stringify(JSON.parse(readFileSync(report, 'utf8')).findings)
    expect(findings).toMatch(/cannot use postgresql\+\w+:\/\/\w+:\*\*\*@/)
    // newRunPassword and the run role's: 24 random bytes as hex.
    for (const [name, text] of Object.entries(outputs(run, report))) expect(text, name).not.toMatch(/[0-9a-f]{48}/)
  })
})

describe('a ?password= database-url, for a project that builds its URL from parts', () => {
  it('gives the password in the password part too (POSTGRES_PASSWORD), and prints it nowhere', async () => {
    const secret = 'Parts9Secret'
    await admin((c) => c.query(`ALTER ROLE ${ROLE} PASSWORD '${secret}'`))
    const report = join(scratch, 'report-parts.json')
    const run = cli(
      'check',
      join(root, 'test', 'fixtures', 'alembic-env-url-parts'),
      '--postgres',
      'url',
      '--database-url',
      `postgresql://${ROLE}@127.0.0.1:${port}/postgres?password=${secret}`,
      '--python',
      python,
      '--report-json',
      report,
    )
    expect(run.code, run.stderr).toBe(0)
    expectNoSecret(outputs(run, report), secret)
  })
})

describe('database-url as a key=value connection string', () => {
  it('is refused in one line that does not repeat it', () => {
    const secret = 'KeyValue7Secret'
    const report = join(scratch, 'report-keyvalue.json')
    for (const host of [`127.0.0.1 port=${port}`, '127.0.0.1 port=1']) {
      const run = cli(
        'check',
        fixture,
        '--postgres',
        'url',
        '--database-url',
        `host=${host} user=${ROLE} password='${secret} x' dbname=postgres`,
        '--report-json',
        report,
      )
      expect(run.code).toBe(2)
      expect(run.stderr.trim().split('\n').at(-1)).toMatch(/^migration-gate: database-url: not a URL/)
      expectNoSecret(outputs(run, report), secret)
    }
  })

  it('given as separate arguments, the stray one is named without its value', () => {
    const run = cli('check', fixture, '--database-url', `host=127.0.0.1`, 'password=KeyValue8Secret')
    expect(run.code).toBe(2)
    expectNoSecret({ stdout: run.stdout, stderr: run.stderr }, 'KeyValue8Secret')
  })
})
