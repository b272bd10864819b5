// The CLI on the SQL examples, as the README's first command runs it: real processes, exit codes,
// the JSON report, one-line usage errors. No Python anywhere.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { localProvider } from '../../src/postgres/local.js'
import { ResourceTracker } from '../../src/resource-tracker.js'

/** What this file's servers and processes are tracked by, as a run's are by its own. */
const resources = new ResourceTracker()

const root = join(import.meta.dirname, '..', '..')
const scratch = mkdtempSync(join(tmpdir(), 'mg-sql-cli-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli.ts'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 120_000,
    // Room for a runaway output to be measured rather than cut off (the default is 1 MB).
    maxBuffer: 64 * 1024 * 1024,
  })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

describe('CLI on the SQL examples', () => {
  it('exits 0 on examples/sql-app and 1 on examples/sql-app-broken, writing the JSON report', async () => {
    const postgres = (await localProvider({ resources }).unavailableReason()) === null ? 'local' : 'embedded'
    const ok = cli('check', join(root, 'examples', 'sql-app'), '--postgres', postgres)
    expect(ok.code).toBe(0)
    expect(ok.stdout).toMatch(/^migration-gate: PASS \(golang-migrate, stairway, 5 revisions, \w+ PostgreSQL \d+/)

    const reportPath = join(scratch, 'report.json')
    const bad = cli(
      'check',
      join(root, 'examples', 'sql-app-broken'),
      '--postgres',
      postgres,
      '--report-json',
      reportPath,
    )
    expect(bad.code).toBe(1)
    // The residue is the down file's doing: it is named, with the statement it lacks.
    expect(bad.stdout).toContain('migrations/000002_create_users.down.sql:1')
    expect(bad.stdout).toContain('it still needs `DROP TYPE user_role`')
    const report = JSON.parse(readFileSync(reportPath, 'utf8'))
    expect(report).toMatchObject({
      version: 1,
      result: 'fail',
      tool: 'golang-migrate',
      chain: { revisions: 5, heads: ['5'], bases: ['1'] },
    })
    expect(report.findings.map((f: { id: string; revision: string }) => `${f.id}@${f.revision}`)).toEqual([
      'duplicate-revision@4',
      'downgrade-residue@2',
    ])
  })

  it('prints a few KB, not the megabyte a migration raises: the message clipped to both ends, once per place', async () => {
    const postgres = (await localProvider({ resources }).unavailableReason()) === null ? 'local' : 'embedded'
    const reportPath = join(scratch, 'huge-error.json')
    const fixture = join(root, 'test', 'fixtures', 'sql-golang-huge-error')
    const r = cli('check', fixture, '--postgres', postgres, '--report-json', reportPath)
    expect(r.code).toBe(1)
    const printed = r.stdout.length + r.stderr.length
    console.log(`sql-golang-huge-error: ${printed} characters printed, report ${statSync(reportPath).size} bytes`)
    expect(printed).toBeLessThan(10_000)
    const report = JSON.parse(readFileSync(reportPath, 'utf8'))
    expect(JSON.stringify(report).length).toBeLessThan(20_000)
    const failed = report.findings.find((f: { id: string }) => f.id === 'upgrade-failed')
    expect(failed).toMatchObject({ revision: '2', file: 'migrations/2_raise_a_megabyte.up.sql', line: 2 })
    // Both ends kept: what failed, and how the message ends.
    expect(failed.message).toMatch(
      /fails: start of the message y+ \.\.\. \[\d+ characters left out\] \.\.\. y+, end of the message\./,
    )
    expect(r.stdout).toContain('end of the message')
    // Clipped where the driver reads it, as the Alembic helper clips (600), not only by the renderers' wider bounds.
    const step = report.steps.find((x: { ok: boolean }) => !x.ok)
    expect(step.error.length).toBeLessThanOrEqual(600)
  })

  it('static mode on SQL needs no database; --tool sql without SQL files is one line naming the input', () => {
    const r = cli('check', join(root, 'test', 'fixtures', 'sql-dbmate-chain'), '--mode', 'static')
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/^migration-gate: FAIL \(dbmate, static, 3 revisions\)/)
    expect(r.stdout).not.toMatch(/PostgreSQL/)

    const none = cli('check', scratch, '--tool', 'sql')
    expect(none.code).toBe(2)
    expect(none.stderr.trim().split('\n').at(-1)).toMatch(/^migration-gate: tool: no SQL migrations in .*set config/)
  })
})
