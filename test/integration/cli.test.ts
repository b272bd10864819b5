// The CLI as a user runs it: real processes, real exit codes (0 pass, 1 findings, 2 usage or
// infrastructure error in one line; 3, a bug, is in cli-bug-or-bad-input.test.ts), the JSON report per the contract.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { pythonWithAlembic } from '../support/python.js'

const root = join(import.meta.dirname, '..', '..')
const fixtures = join(root, 'test', 'fixtures')
const scratch = mkdtempSync(join(tmpdir(), 'mg-cli-test-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli.ts'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 120_000,
  })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** The last line of stderr: a usage error is exactly one line naming the input. */
const errorLine = (stderr: string) => stderr.trim().split('\n').at(-1) ?? ''

describe('CLI usage and infrastructure errors: exit 2, one line naming the input', () => {
  const project = join(fixtures, 'alembic-clean')

  it('an unknown postgres value', () => {
    const r = cli('check', project, '--postgres', 'podman')
    expect(r.code).toBe(2)
    expect(errorLine(r.stderr)).toMatch(
      /^migration-gate: postgres: unknown value "podman" \(allowed: auto, docker, local, embedded, url\)$/,
    )
    expect(r.stderr).not.toMatch(/\n\s+at /) // no stack trace
  })

  it('a bad database-url', () => {
    const r = cli('check', project, '--postgres', 'url', '--database-url', 'postgresql://nobody@127.0.0.1:1/x')
    expect(r.code).toBe(2)
    expect(errorLine(r.stderr)).toMatch(
      /^migration-gate: database-url: cannot connect to postgresql:\/\/nobody@127\.0\.0\.1:1\/x: /,
    )
    const notUrl = cli('check', project, '--postgres', 'url', '--database-url', 'not a url')
    expect(notUrl.code).toBe(2)
    expect(errorLine(notUrl.stderr)).toMatch(/database-url: not a URL/)
  })

  it('a missing server binary', () => {
    const r = cli('check', project, '--postgres', 'local', '--pg-bin', join(scratch, 'no-such-dir'))
    expect(r.code).toBe(2)
    expect(errorLine(r.stderr)).toMatch(/^migration-gate: pg-bin: no runnable initdb and postgres in /)
  })

  it('an unknown option, a bad mode, a directory without a project', () => {
    expect(cli('check', project, '--frobnicate', 'x').code).toBe(2)
    const mode = cli('check', project, '--mode', 'sideways')
    expect(mode.code).toBe(2)
    expect(errorLine(mode.stderr)).toMatch(
      /mode: unknown value "sideways" \(allowed: static, roundtrip, stairway, live\)/,
    )
    const empty = cli('check', scratch)
    expect(empty.code).toBe(2)
    expect(errorLine(empty.stderr)).toMatch(/working-directory: no migration project found/)
  })

  it('a report-json into a missing directory, a step-timeout past what timers hold', () => {
    const report = cli('check', project, '--mode', 'static', '--report-json', join(scratch, 'missing', 'r.json'))
    expect(report.code).toBe(2)
    expect(errorLine(report.stderr)).toMatch(/^migration-gate: report-json: the directory of .* does not exist/)
    const timeout = cli('check', project, '--step-timeout', '3000000')
    expect(timeout.code).toBe(2)
    expect(errorLine(timeout.stderr)).toMatch(/^migration-gate: step-timeout: 3000000 seconds is more than/)
  })

  it('a report-json that is a directory, an option whose value is missing before the next option', () => {
    const dir = cli('check', project, '--mode', 'static', '--report-json', scratch)
    expect(dir.code).toBe(2)
    expect(errorLine(dir.stderr)).toBe(`migration-gate: report-json: ${scratch} is a directory; give a file path`)
    const swallowed = cli('check', project, '--report-json', '--mode', 'static')
    expect(swallowed.code).toBe(2)
    expect(errorLine(swallowed.stderr)).toBe(
      'migration-gate: --report-json needs a value, but is followed by the option --mode',
    )
    expect(`${dir.stderr}${swallowed.stderr}`).not.toMatch(/\n\s+at /)
  })

  it('a sarif into a missing directory, or that is a directory', () => {
    const missing = join(scratch, 'missing', 'r.sarif')
    const r = cli('check', project, '--mode', 'static', '--sarif', missing)
    expect(r.code).toBe(2)
    expect(errorLine(r.stderr)).toBe(
      `migration-gate: sarif: the directory of ${missing} does not exist or is not writable`,
    )
    const dir = cli('check', project, '--mode', 'static', '--sarif', scratch)
    expect(dir.code).toBe(2)
    expect(errorLine(dir.stderr)).toBe(`migration-gate: sarif: ${scratch} is a directory; give a file path`)
    expect(`${r.stderr}${dir.stderr}`).not.toMatch(/\n\s+at /)
  })

  it('--help lists every option and exits 0', () => {
    const r = cli('--help')
    expect(r.code).toBe(0)
    for (const flag of ['--mode', '--postgres', '--database-url', '--python', '--step-timeout', '--report-json']) {
      expect(r.stdout).toContain(flag)
    }
  })
})

describe('CLI verdicts', () => {
  it('--sarif writes the findings as SARIF, located relative to the repository root', () => {
    const sarifPath = join(scratch, 'chain.sarif')
    const r = cli('check', join(fixtures, 'sql-golang-chain'), '--mode', 'static', '--sarif', sarifPath)
    expect(r.code).toBe(1)
    const log = JSON.parse(readFileSync(sarifPath, 'utf8'))
    expect(log.version).toBe('2.1.0')
    const uris: string[] = log.runs[0].results.map(
      (x: { locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }) =>
        x.locations[0]!.physicalLocation.artifactLocation.uri,
    )
    expect(uris.length).toBeGreaterThan(0)
    for (const uri of uris) expect(uri).toMatch(/^test\/fixtures\/sql-golang-chain\/migrations\//)
    expect(log.runs[0].results.map((x: { ruleId: string }) => x.ruleId)).toContain('duplicate-revision')
  })

  it('exits 0 on a clean project and 1 on findings, writing the JSON report', async () => {
    const python = await pythonWithAlembic()
    const ok = cli('check', join(fixtures, 'alembic-clean'), '--postgres', 'local', '--python', python)
    expect(ok.code).toBe(0)
    expect(ok.stdout).toMatch(/^migration-gate: PASS \(alembic, stairway, 6 revisions, local PostgreSQL \d+/)

    const reportPath = join(scratch, 'report.json')
    const bad = cli(
      'check',
      join(fixtures, 'alembic-enum-residue'),
      '--postgres',
      'local',
      '--python',
      python,
      '--report-json',
      reportPath,
    )
    expect(bad.code).toBe(1)
    expect(bad.stdout).toContain('downgrade-residue')
    expect(bad.stdout).toContain('alembic/versions/32c3ebc38184_create_feedback.py:')
    const report = JSON.parse(readFileSync(reportPath, 'utf8'))
    expect(report).toMatchObject({
      version: 1,
      result: 'fail',
      tool: 'alembic',
      postgres: { provider: 'local' },
      chain: { revisions: 3, heads: ['13ef259690e1'], bases: ['d31e0e17d213'] },
      findings: [{ id: 'downgrade-residue', severity: 'error', revision: '32c3ebc38184' }],
    })
    expect(report.steps.length).toBeGreaterThan(0)
    expect(report.timings.totalMs).toBeGreaterThan(0)
    expect(Object.keys(report.timings.phases)).toEqual(expect.arrayContaining(['static', 'postgres', 'replay']))
  })

  it('--verbose logs each step as it happens, and names the interpreter', async () => {
    const python = await pythonWithAlembic()
    const r = cli(
      'check',
      join(fixtures, 'alembic-enum-residue'),
      '--postgres',
      'local',
      '--python',
      python,
      '--verbose',
    )
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`python: ${python}`)
    expect(r.stderr).toContain('debug: upgrade d31e0e17d213: ok in ')
    expect(r.stderr).toContain('debug: downgrade 32c3ebc38184: ok in ')
    expect(r.stderr).toMatch(
      /debug: upgrade again 32c3ebc38184: failed \(DuplicateObject: type "mood" already exists\) in \d+ ms/,
    )
    const quiet = cli('check', join(fixtures, 'alembic-enum-residue'), '--postgres', 'local', '--python', python)
    expect(quiet.stderr).not.toContain('debug:')
  })

  it('static mode needs no database and reports chain findings', () => {
    const r = cli('check', join(fixtures, 'alembic-chain-two-heads'), '--mode', 'static')
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('multiple-heads')
    expect(r.stdout).not.toMatch(/PostgreSQL/)
  })
})
