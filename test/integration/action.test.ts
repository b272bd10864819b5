// The action entry (src/main.ts) end to end, as the runner starts it: a real child process with the
// runner's files (GITHUB_STEP_SUMMARY, GITHUB_OUTPUT, GITHUB_STATE), an event payload, INPUT_* env
// vars, real PostgreSQL and Alembic, and a fake GitHub API on localhost (GITHUB_API_URL) for the PR
// comment. Then the post step, started the way the runner does: the state as STATE_* env vars.
// Runs src through tsx rather than dist/: the suite must not need a fresh bundle (CI's check-dist
// job compares dist/ with the source, and the self-test job runs dist/ through `uses: ./`).
import { execFileSync, spawn } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { COMMENT_MARKER } from '../../src/render/comment.js'
// @ts-expect-error plain JavaScript preload without type declarations
import { INJECTED_BUG_DIR } from '../support/inject-bug.mjs'
import { pythonWithAlembic } from '../support/python.js'

const root = join(import.meta.dirname, '..', '..')
const tsxLoader = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href
const scratch = mkdtempSync(join(tmpdir(), 'mg-action-test-'))
const PR = 7
const BOT = { login: 'github-actions[bot]', type: 'Bot' }
const SOMEONE = { login: 'mallory', type: 'User' }

/**
 * A fake GitHub REST API: one PR's issue comments; the token is an installation token like the
 * workflow's GITHUB_TOKEN (GET /user refused, comments written as github-actions[bot]); `readOnly`
 * answers writes as a fork's token does.
 */
interface FakeGitHub {
  url: string
  comments: Array<{ id: number; body: string; user: { login: string; type: string } }>
  requests: string[]
  readOnly: boolean
}
let github: FakeGitHub
let server: Server

beforeAll(async () => {
  github = { url: '', comments: [], requests: [], readOnly: false }
  server = createServer(async (req, res) => {
    const body = await readBody(req)
    github.requests.push(`${req.method} ${req.url}`)
    const send = (status: number, data: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(data))
    }
    const path = (req.url ?? '').split('?')[0]
    if (req.headers.authorization !== 'token fake-token') return send(401, { message: 'Bad credentials' })
    if (req.method === 'GET' && path === `/repos/acme/app/issues/${PR}/comments`) return send(200, github.comments)
    if (req.method === 'GET' && path === '/user')
      return send(403, { message: 'Resource not accessible by integration' })
    if (github.readOnly) return send(403, { message: 'Resource not accessible by integration' })
    if (req.method === 'POST' && path === `/repos/acme/app/issues/${PR}/comments`) {
      const c = { id: 100 + github.comments.length, body: JSON.parse(body).body as string, user: BOT }
      github.comments.push(c)
      return send(201, { ...c, html_url: `https://github.com/acme/app/pull/${PR}#issuecomment-${c.id}` })
    }
    const m = /^\/repos\/acme\/app\/issues\/comments\/(\d+)$/.exec(path ?? '')
    const existing = m && github.comments.find((c) => c.id === Number(m[1]))
    if (req.method === 'PATCH' && existing) {
      existing.body = JSON.parse(body).body
      return send(200, existing)
    }
    send(404, { message: 'Not Found' })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  github.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
  rmSync(scratch, { recursive: true, force: true })
})

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let data = ''
    req.on('data', (chunk) => (data += chunk))
    req.on('end', () => resolve(data))
  })
}

interface Run {
  code: number | null
  stdout: string
  stderr: string
  summary: string
  outputs: Record<string, string>
  state: Record<string, string>
  dir: string
}

/** The runner's `name<<delimiter` file format (GITHUB_OUTPUT, GITHUB_STATE). */
function parseFileCommands(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const m of text.matchAll(/^(.+?)<<(ghadelimiter_[^\n]+)\n([\s\S]*?)\n\2$/gm)) out[m[1]!] = m[3]!
  return out
}

interface RunOptions {
  /** The checkout (GITHUB_WORKSPACE, the step's working directory); default this repository. */
  workspace?: string
  /** The pull_request payload; default one with only a number (no base: no git checks). */
  pullRequest?: Record<string, unknown>
}

/** Starts src/main.ts as the runner would: inputs as INPUT_<NAME> (upper case, hyphens kept). */
async function runAction(
  inputs: Record<string, string>,
  extraEnv: Record<string, string> = {},
  options: RunOptions = {},
): Promise<Run> {
  const workspace = options.workspace ?? root
  const dir = mkdtempSync(join(scratch, 'step-'))
  const files = { summary: join(dir, 'summary.md'), output: join(dir, 'output'), state: join(dir, 'state') }
  for (const f of Object.values(files)) writeFileSync(f, '')
  const event = join(dir, 'event.json')
  const pullRequest = options.pullRequest ?? { number: PR, head: { sha: 'abc' } }
  writeFileSync(event, JSON.stringify({ action: 'synchronize', pull_request: pullRequest }))
  const runnerTemp = join(dir, 'runner-temp')
  mkdirSync(runnerTemp)

  // Nothing of the machine running the tests (perhaps itself a GitHub runner) leaks in.
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(GITHUB_|RUNNER_|INPUT_|STATE_|ACTIONS_)/.test(k) && !/_proxy$/i.test(k)) env[k] = v
  }
  Object.assign(env, {
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_OUTPUT: files.output,
    GITHUB_STATE: files.state,
    GITHUB_EVENT_PATH: event,
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_REPOSITORY: 'acme/app',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_RUN_ID: '42',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: github.url,
    RUNNER_TEMP: runnerTemp,
    NO_PROXY: '127.0.0.1,localhost',
  })
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
  Object.assign(env, extraEnv)

  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (resolve, reject) => {
      // tsx by path: the step runs in the workspace, where `--import tsx` would not resolve.
      const child = spawn(process.execPath, ['--import', tsxLoader, join(root, 'src', 'main.ts')], {
        cwd: workspace,
        env,
      })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (d) => (stdout += d))
      child.stderr.on('data', (d) => (stderr += d))
      const timer = setTimeout(() => child.kill('SIGKILL'), 110_000)
      child.on('error', reject)
      child.on('close', (code) => {
        clearTimeout(timer)
        resolve({ code, stdout, stderr })
      })
    },
  )
  return {
    code,
    stdout,
    stderr,
    dir,
    summary: readFileSync(files.summary, 'utf8'),
    outputs: parseFileCommands(readFileSync(files.output, 'utf8')),
    state: parseFileCommands(readFileSync(files.state, 'utf8')),
  }
}

/** Undoes @actions/core's escaping of workflow-command data and properties. */
const unescape = (s: string) =>
  s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%')

/** `::error title=…,file=…,line=…::message` lines, properties parsed. */
function commands(stdout: string, kind: 'error' | 'warning' | 'notice') {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith(`::${kind}`))
    .map((l) => {
      const m = new RegExp(`^::${kind}(?: ([^:]*))?::(.*)$`).exec(l)!
      const pairs = (m[1] ?? '')
        .split(',')
        .filter(Boolean)
        .map((p) => p.split('=', 2).map(unescape))
      return { props: Object.fromEntries(pairs), message: unescape(m[2]!) }
    })
}

describe('the action, end to end', () => {
  let python: string
  beforeAll(async () => {
    python = await pythonWithAlembic()
  })

  it('fails on a broken project: exit 1, annotations at file:line, summary, outputs, one PR comment', async () => {
    // A marker comment by someone else is not the gate's: left alone, and the gate's own is created.
    github.comments = [
      { id: 1, body: 'Looks good to me', user: SOMEONE },
      { id: 2, body: `${COMMENT_MARKER}\nplanted`, user: SOMEONE },
    ]
    github.readOnly = false
    const run = await runAction({
      'working-directory': 'test/fixtures/alembic-enum-residue',
      postgres: 'local',
      python,
      comment: 'true',
      'github-token': 'fake-token',
    })
    expect(run.code).toBe(1)

    const file = 'test/fixtures/alembic-enum-residue/alembic/versions/32c3ebc38184_create_feedback.py'
    const errors = commands(run.stdout, 'error')
    expect(errors).toHaveLength(2)
    // At `def downgrade()` (line 39): the downgrade is what leaves the residue.
    expect(errors[0]!.props).toEqual({ title: 'migration-gate: downgrade-residue (32c3ebc38184)', file, line: '39' })
    expect(errors[0]!.message).toMatch(
      /^Downgrading 32c3ebc38184 .*\n- type mood \(enum\): present now, absent before\n/s,
    )
    expect(run.stdout).toContain(
      `::error title=migration-gate%3A downgrade-residue (32c3ebc38184),file=${file},line=39::`,
    )
    // setFailed's own error, the one the annotations leave room for.
    expect(errors[1]).toEqual({ props: {}, message: 'migration-gate: 1 error finding' })

    expect(run.outputs).toMatchObject({ result: 'fail', heads: '13ef259690e1', findings: '1' })
    const report = JSON.parse(readFileSync(run.outputs['report-path']!, 'utf8'))
    expect(report).toMatchObject({ result: 'fail', findings: [{ id: 'downgrade-residue', file: expect.any(String) }] })
    // In RUNNER_TEMP, in a directory of its own: a second gate step in the job gets another.
    expect(run.outputs['report-path']!.startsWith(join(run.dir, 'runner-temp', 'migration-gate-report-'))).toBe(true)

    expect(run.summary.split('\n')[0]).toBe('## ❌ migration-gate: fail (1 error)')
    expect(run.summary).toContain('| <code>downgrade-residue</code> | ❌ error | <code>32c3ebc38184</code> |')
    expect(run.summary).toContain(
      `(https://github.com/acme/app/blob/0123456789abcdef0123456789abcdef01234567/${file}#L39)`,
    )
    expect(run.summary).toContain('```mermaid')
    expect(run.summary).toContain('PR comment created.')

    expect(github.comments).toHaveLength(3)
    expect(github.comments[1]!.body).toBe(`${COMMENT_MARKER}\nplanted`)
    expect(github.comments[2]!.body.startsWith(`${COMMENT_MARKER}\n### ❌ migration-gate: fail (1 error)`)).toBe(true)
    expect(github.comments[2]!.body).toContain('(https://github.com/acme/app/actions/runs/42)')
    expect(github.requests.filter((r) => /^(PATCH|POST)/.test(r))).toEqual([
      `POST /repos/acme/app/issues/${PR}/comments`,
    ])

    // The state the post step gets back.
    expect(run.state.isPost).toBe('true')
    expect(run.state.ledger).toMatch(/migration-gate-ledger-\d+\.json$/)
  })

  it("passes a clean project: exit 0, no annotations; a fork's read-only token is a warning only", async () => {
    // An earlier failing run left a comment; this token may neither update it nor post a new one.
    github.comments = [{ id: 100, body: `${COMMENT_MARKER}\nold findings`, user: BOT }]
    github.readOnly = true
    const run = await runAction({
      'working-directory': 'test/fixtures/alembic-clean',
      postgres: 'local',
      python,
      comment: 'true',
      'github-token': 'fake-token',
    })
    expect(run.code).toBe(0)
    expect(commands(run.stdout, 'error')).toEqual([])
    const warnings = commands(run.stdout, 'warning')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]!.message).toMatch(/^comment: the token may not write to this pull request/)
    expect(github.requests.slice(-2)).toEqual([
      'PATCH /repos/acme/app/issues/comments/100',
      `POST /repos/acme/app/issues/${PR}/comments`,
    ])
    expect(github.comments[0]!.body).toBe(`${COMMENT_MARKER}\nold findings`)

    expect(run.outputs).toMatchObject({ result: 'pass', heads: 'bb86aaac9fb9', findings: '0' })
    expect(run.summary.split('\n')[0]).toBe('## ✅ migration-gate: pass')
    expect(run.summary).toContain('The PR comment could not be written')
    expect(run.summary).toMatch(/PostgreSQL 15\.\d+ served, from the local provider/)
  })

  it('writes SARIF where the sarif input says and names it in sarif-path; empty when not asked for', async () => {
    const sarif = join(scratch, 'gate.sarif')
    const run = await runAction({ 'working-directory': 'test/fixtures/sql-golang-chain', mode: 'static', sarif })
    expect(run.code).toBe(1)
    expect(run.outputs['sarif-path']).toBe(sarif)
    const log = JSON.parse(readFileSync(sarif, 'utf8'))
    expect(log.runs[0].tool.driver.name).toBe('migration-gate')
    const results: Array<{ locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }> =
      log.runs[0].results
    expect(results.length).toBeGreaterThan(0)
    for (const r of results) {
      expect(r.locations[0]!.physicalLocation.artifactLocation.uri).toMatch(/^test\/fixtures\/sql-golang-chain\//)
    }
    const off = await runAction({ 'working-directory': 'test/fixtures/sql-golang-chain', mode: 'static' })
    expect(off.outputs).toMatchObject({ result: 'fail', 'sarif-path': '' })
    const dir = await runAction({
      'working-directory': 'test/fixtures/sql-golang-chain',
      mode: 'static',
      sarif: scratch,
    })
    expect(commands(dir.stdout, 'error')).toEqual([
      { props: {}, message: `migration-gate: sarif: ${scratch} is a directory; give a file path` },
    ])
    expect(dir.outputs).toEqual({})
  })

  it('fails with one line naming the input on a usage error, writing no outputs', async () => {
    const run = await runAction({ 'working-directory': 'test/fixtures/alembic-clean', mode: 'sideways' })
    expect(run.code).toBe(1)
    expect(commands(run.stdout, 'error')).toEqual([
      {
        props: {},
        message: 'migration-gate: mode: unknown value "sideways" (allowed: static, roundtrip, stairway, live)',
      },
    ])
    expect(run.outputs).toEqual({})
  })

  it('a bug in the gate fails in one line saying so, the stack only as debug, exit 3 as the CLI', async () => {
    // A real TypeError in the gate's own code, injected by a test-only preload (test/support/inject-bug.mjs).
    const buggy = join(mkdtempSync(join(scratch, 'bug-')), INJECTED_BUG_DIR as string)
    mkdirSync(buggy)
    const preload = `--import ${pathToFileURL(join(root, 'test', 'support', 'inject-bug.mjs')).href}`
    const run = await runAction({ 'working-directory': buggy, mode: 'static' }, { NODE_OPTIONS: preload })
    expect(run.code, run.stdout).toBe(3)
    expect(commands(run.stdout, 'error')).toEqual([
      {
        props: {},
        message: expect.stringMatching(
          /^migration-gate: internal error \(a bug in migration-gate, not in your input\): TypeError: .*isDirectory is not a function; please report it to the maintainers with the output of --verbose$/,
        ),
      },
    ])
    // The stack goes to the step's debug log (ACTIONS_STEP_DEBUG), never into the annotation.
    const debug = run.stdout.split('\n').filter((l) => l.startsWith('::debug::TypeError'))
    expect(debug).toHaveLength(1)
    expect(unescape(debug[0]!)).toMatch(/isDirectory is not a function\n(\s+at .*\n)*?\s+at .*gate\.ts/)
    expect(run.outputs).toEqual({})
  })

  it('a database-url that cannot be reached fails in one line without its password, which the runner masks', async () => {
    const secret = 'Action1Secret'
    const run = await runAction({
      'working-directory': 'test/fixtures/alembic-clean',
      postgres: 'url',
      'database-url': `postgresql://gate@127.0.0.1:1/postgres?password=${secret}`,
    })
    expect(run.code).toBe(1)
    expect(commands(run.stdout, 'error')).toEqual([
      {
        props: {},
        message: expect.stringMatching(
          /^migration-gate: database-url: cannot connect to postgresql:\/\/gate@127\.0\.0\.1:1\/postgres\?password=\*\*\*: /,
        ),
      },
    ])
    // The runner's mask command is the one line that must carry it.
    expect(run.stdout.split('\n').filter((l) => l.includes(secret))).toEqual([`::add-mask::${secret}`])
    expect(run.stderr).not.toContain(secret)
    expect(run.summary).not.toContain(secret)
  })

  it('a static run whose summary cannot be written: outputs set, a warning, the verdict unchanged', async () => {
    const notAFile = mkdtempSync(join(scratch, 'summary-dir-'))
    const run = await runAction(
      { 'working-directory': 'test/fixtures/alembic-chain-two-heads', mode: 'static' },
      { GITHUB_STEP_SUMMARY: notAFile },
    )
    expect(run.code).toBe(1)
    expect(run.outputs).toMatchObject({ result: 'fail', heads: '3a7f9d0e6c12 c4b81e2f7d93', findings: '1' })
    expect(commands(run.stdout, 'warning').map((w) => w.message)).toEqual([
      expect.stringMatching(/^job summary not written: /),
    ])
    expect(commands(run.stdout, 'error').map((e) => e.props.file)).toEqual([
      'test/fixtures/alembic-chain-two-heads/migrations/versions/c4b81e2f7d93_add_last_login_at_to_users.py',
      undefined,
    ])
  })

  it('post step: removes what the ledger lists, warns about what it may not touch, never fails', async () => {
    const dir = mkdtempSync(join(scratch, 'post-'))
    const cluster = join(dir, 'migration-gate-pg-left-behind')
    const stranger = join(dir, 'not-ours')
    mkdirSync(join(cluster, 'data'), { recursive: true })
    mkdirSync(stranger)
    const ledger = join(dir, 'ledger.json')
    writeFileSync(
      ledger,
      JSON.stringify([
        { kind: 'cluster', dir: cluster },
        { kind: 'cluster', dir: stranger },
      ]),
    )
    const run = await runAction({}, { STATE_isPost: 'true', STATE_ledger: ledger })
    expect(run.code).toBe(0)
    expect(existsSync(cluster)).toBe(false)
    expect(existsSync(stranger)).toBe(true)
    expect(existsSync(ledger)).toBe(false)
    expect(run.stdout).toContain(`removed cluster ${cluster}`)
    expect(commands(run.stdout, 'warning')).toEqual([
      { props: {}, message: `could not remove cluster ${stranger}: not a migration-gate cluster dir, left alone` },
    ])
    expect(commands(run.stdout, 'error')).toEqual([])
    expect(run.summary).toBe('')
    expect(run.outputs).toEqual({})

    // Nothing recorded (the main step cleaned up after itself): nothing to do, still exit 0.
    const idle = await runAction({}, { STATE_isPost: 'true', STATE_ledger: join(dir, 'gone.json') })
    expect(idle.code).toBe(0)
    expect(idle.stdout).not.toMatch(/^::(error|warning)/m)
  })
})

/** A checkout like actions/checkout's: a git repository whose project sits in app/, on a PR branch. */
function pullRequestCheckout(prepare: (repo: string, commit: (message: string) => string) => void): string {
  const repo = mkdtempSync(join(scratch, 'checkout-'))
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@example.com',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
  }
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, env, encoding: 'utf8' }).trim()
  git('init', '-q', '-b', 'main')
  prepare(repo, (message) => {
    git('add', '-A')
    git('commit', '-q', '-m', message)
    return git('rev-parse', 'HEAD')
  })
  return repo
}

const copyFixture = (name: string, to: string) =>
  cpSync(join(root, 'test', 'fixtures', name), to, { recursive: true, filter: (src) => !src.includes('__pycache__') })

describe('the action on a pull request in a git repository (project in a subdirectory)', () => {
  let python: string
  beforeAll(async () => {
    python = await pythonWithAlembic()
  })

  it("annotates the PR's broken revision at its path from the repository root, and marks the change", async () => {
    let base = ''
    const workspace = pullRequestCheckout((repo, commit) => {
      const app = join(repo, 'app')
      copyFixture('alembic-enum-residue', app)
      // main has the first revision; the pull request adds the broken one and the next.
      for (const f of ['32c3ebc38184_create_feedback.py', '13ef259690e1_add_last_seen_at_to_users.py']) {
        rmSync(join(app, 'alembic', 'versions', f))
      }
      base = commit('base')
      execFileSync('git', ['checkout', '-q', '-b', 'feature'], { cwd: repo })
      copyFixture('alembic-enum-residue', app)
      commit('feedback table')
    })
    github.comments = []
    github.readOnly = false
    const run = await runAction(
      { 'working-directory': 'app', postgres: 'local', python, 'model-drift': 'false' },
      {},
      { workspace, pullRequest: { number: PR, base: { sha: base, ref: 'main' }, labels: [], body: '' } },
    )
    expect(run.code).toBe(1)
    const errors = commands(run.stdout, 'error')
    expect(errors[0]!.props).toMatchObject({ file: 'app/alembic/versions/32c3ebc38184_create_feedback.py', line: '39' })
    expect(run.summary).toContain(`Compared with <code>main</code> (merge base <code>${base.slice(0, 12)}</code>)`)
    expect(run.summary).toMatch(/this change's revisions: <code>(32c3ebc38184|13ef259690e1)<\/code>, <code>/)
    const node = /^ {2}(r\d+)\["32c3ebc38184<br>/m.exec(run.summary)?.[1]
    expect(run.summary).toContain(`  class ${node} mine`)
    expect(run.summary).toContain(`  class ${node} error`)
  })

  it('passes a clean change on top of a base that has a broken revision: pre-existing, listed apart', async () => {
    let base = ''
    const workspace = pullRequestCheckout((repo, commit) => {
      const app = join(repo, 'app')
      copyFixture('alembic-enum-residue', app)
      base = commit('base')
      execFileSync('git', ['checkout', '-q', '-b', 'feature'], { cwd: repo })
      writeFileSync(
        join(app, 'alembic', 'versions', '5b0c1d2e3f40_create_audit_log.py'),
        [
          '"""create audit_log',
          '',
          'Revision ID: 5b0c1d2e3f40',
          'Revises: 13ef259690e1',
          '"""',
          'from alembic import op',
          'import sqlalchemy as sa',
          '',
          "revision = '5b0c1d2e3f40'",
          "down_revision = '13ef259690e1'",
          'branch_labels = None',
          'depends_on = None',
          '',
          '',
          'def upgrade():',
          "    op.create_table('audit_log', sa.Column('id', sa.Integer(), primary_key=True))",
          '',
          '',
          'def downgrade():',
          "    op.drop_table('audit_log')",
          '',
        ].join('\n'),
      )
      commit('audit log')
    })
    github.comments = []
    github.readOnly = false
    const run = await runAction(
      {
        'working-directory': 'app',
        postgres: 'local',
        python,
        'model-drift': 'false',
        comment: 'true',
        'github-token': 'fake-token',
      },
      {},
      { workspace, pullRequest: { number: PR, base: { sha: base, ref: 'main' }, labels: [], body: '' } },
    )
    expect(run.code).toBe(0)
    expect(run.outputs.result).toBe('pass')
    expect(commands(run.stdout, 'error')).toEqual([])
    expect(run.summary).not.toContain('### Findings')
    expect(run.summary).toContain(
      '<details><summary>1 pre-existing finding: revisions <code>main</code> already has</summary>',
    )
    expect(run.summary).toMatch(/<code>downgrade-residue<\/code> \| ℹ️ notice \| <code>32c3ebc38184<\/code>/)
    expect(run.summary).toContain("this change's revisions: <code>5b0c1d2e3f40</code>")
    // Passing and no comment from before: none is created.
    expect(github.comments).toEqual([])
    expect(run.summary).toContain('No PR comment: the gate passes and there was none to update.')
  })
})

describe('the action on a monorepo', () => {
  it('judges each listed project on one server: one verdict, a section per project, aggregated outputs', async () => {
    const python = await pythonWithAlembic()
    // An Alembic project that passes and a golang-migrate one whose downgrade leaves an index, in one checkout.
    const workspace = join(scratch, 'monorepo')
    cpSync(join(root, 'test', 'fixtures', 'alembic-clean'), join(workspace, 'services', 'api'), { recursive: true })
    cpSync(join(root, 'test', 'fixtures', 'sql-golang-residue'), join(workspace, 'services', 'billing'), {
      recursive: true,
    })
    github.comments = []
    github.readOnly = false
    const run = await runAction(
      {
        'working-directory': 'services/*',
        postgres: 'local',
        python,
        comment: 'true',
        'github-token': 'fake-token',
      },
      {},
      { workspace },
    )
    expect(run.code, run.stderr).toBe(1)
    // One server for both projects.
    expect(run.stdout.match(/postgres: local PostgreSQL \S+ ready in/g)).toHaveLength(1)
    // The annotation points at the failing project's file, from the workspace root.
    const errors = commands(run.stdout, 'error')
    expect(errors.map((e) => e.props.file)).toContain('services/billing/migrations/0002_archive_chats.down.sql')
    expect(errors.map((e) => e.message)).toContain('migration-gate: 1 error finding')

    expect(run.summary.split('\n')[0]).toBe('## ❌ migration-gate: fail (1 error) · 2 projects: 1 fails, 1 passes')
    const api = run.summary.indexOf('### ✅ <code>services/api</code> (alembic): pass')
    const billing = run.summary.indexOf('### ❌ <code>services/billing</code> (golang-migrate): fail (1 error)')
    expect(api).toBeGreaterThan(0)
    expect(billing).toBeGreaterThan(api)
    expect(run.summary.indexOf('downgrade-residue')).toBeGreaterThan(billing)

    expect(github.comments).toHaveLength(1)
    const body = github.comments[0]!.body
    expect(body.startsWith(`${COMMENT_MARKER}\n### ❌ migration-gate: fail (1 error) · 2 projects`)).toBe(true)
    expect(body).toContain('#### ✅ <code>services/api</code> (alembic): pass')
    expect(body).toContain('#### ❌ <code>services/billing</code> (golang-migrate): fail (1 error)')

    expect(run.outputs.result).toBe('fail')
    expect(run.outputs.findings).toBe('1')
    expect(run.outputs.heads).toBe('bb86aaac9fb9 3')
    const report = JSON.parse(readFileSync(run.outputs['report-path']!, 'utf8')) as {
      projects: Array<{ tool: string; projectDir: string }>
    }
    expect(report.projects.map((p) => p.tool)).toEqual(['alembic', 'golang-migrate'])
  })

  it('a listed directory that does not exist fails the step in one line naming it', async () => {
    const run = await runAction({
      'working-directory': 'test/fixtures/alembic-clean\ntest/fixtures/no-such-project',
      mode: 'static',
    })
    expect(run.code).toBe(1)
    expect(commands(run.stdout, 'error').map((e) => e.message)).toEqual([
      'migration-gate: working-directory: test/fixtures/no-such-project is not a directory',
    ])
  })
})
