// What a project's Python code starts must not outlive the step, hold up the gate, or survive the
// gate: a migration that leaves a worker running, an env.py that never finishes loading, a gate
// killed with SIGKILL mid-step. Real CLI processes, real Alembic, real PostgreSQL.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { removeStaleClusters } from '../../src/postgres/cluster-dirs.js'
import { pythonWithAlembic } from '../support/python.js'
import { FIXTURES, gateOnFixture } from '../support/run-gate.js'

const root = join(import.meta.dirname, '..', '..')
const cliArgs = ['--import', 'tsx', join(root, 'src', 'cli.ts')]
const scratch = mkdtempSync(join(tmpdir(), 'mg-helper-processes-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

/** Command lines of live processes whose arguments contain `marker` (zombies left out). */
function processesWith(marker: string): string[] {
  const r = spawnSync('pgrep', ['-a', '-f', marker], { encoding: 'utf8' })
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .filter((line) => !line.includes('pgrep'))
}

async function waitUntil(check: () => boolean, seconds: number): Promise<boolean> {
  for (let i = 0; i < seconds * 10; i++) {
    if (check()) return true
    await new Promise((r) => setTimeout(r, 100))
  }
  return check()
}

describe('a migration that starts a process and returns', () => {
  it('is a warning naming the revision and direction; the process is stopped and the run does not wait for it', async () => {
    const report = join(scratch, 'background.json')
    // The fixture's workers sleep 600 s holding the helper's stdout and stderr: a gate that waited
    // for them would still run when spawnSync's own limit kills it (status null).
    const r = spawnSync(
      process.execPath,
      [
        ...cliArgs,
        'check',
        join(FIXTURES, 'alembic-background-process'),
        '--postgres',
        'local',
        '--python',
        await pythonWithAlembic(),
        '--report-json',
        report,
      ],
      { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 180_000 },
    )
    expect(r.signal).toBeNull()
    expect(r.status).toBe(0) // warnings only
    const findings = JSON.parse(readFileSync(report, 'utf8')).findings as Array<Record<string, unknown>>
    expect(findings.map((f) => `${f.id} ${f.severity} ${f.revision} ${f.file}:${f.line}`)).toEqual([
      'background-process warning 1dce7515a9cc alembic/versions/1dce7515a9cc_lower_case_emails.py:16',
      'background-process warning dc9a9da06170 alembic/versions/dc9a9da06170_add_users_timezone.py:26',
    ])
    expect(findings[0]?.message).toMatch(
      /^The upgrade of 1dce7515a9cc started a process .*migration-gate-fixture-daemon/,
    )
    // The second worker left the process group (a session of its own) and is stopped all the same.
    expect(findings[1]?.message).toMatch(/^The downgrade of dc9a9da06170 .*migration-gate-fixture-session-daemon/)
    expect(processesWith('migration-gate-fixture')).toEqual([])
  })
})

describe('a SQL migration that starts a program on the database server and returns', () => {
  it('neither holds up the run (its socket) nor outlives the gate', () => {
    // The program sleeps 600 s holding the backend's socket: a gate that waited for the connection
    // to close would still run when spawnSync's own limit kills it (status null).
    const r = spawnSync(
      process.execPath,
      [...cliArgs, 'check', join(FIXTURES, 'sql-golang-server-program'), '--postgres', 'local'],
      { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 180_000 },
    )
    expect(r.signal).toBeNull()
    expect(r.stdout).toMatch(/PASS/)
    expect(r.status).toBe(0)
    expect(processesWith('migration-gate-fixture-server-program')).toEqual([])
  })
})

describe('an env.py that never finishes loading', () => {
  it('is a step-timeout at env.py, not an infrastructure error, and nothing of it is left', async () => {
    const report = await gateOnFixture('alembic-env-hang', { 'step-timeout': '2' })
    expect(report.findings.map((f) => `${f.id} ${f.severity} ${f.file}`)).toEqual(['step-timeout error alembic/env.py'])
    expect(report.findings[0]?.message).toMatch(
      /^Loading the migration environment hung: env\.py \(with the revision files it loads\) did not get to run_migrations\(\) within the step timeout of 2 s and was stopped\. /,
    )
    expect(report.findings[0]?.fix).toMatch(/^Look for a sleep, a lock or a connection that never answers/)
    expect(processesWith('alembic-env-hang')).toEqual([])
  })
})

describe('a gate killed with SIGKILL while its helper is busy', () => {
  it('takes the helper, its process group and the cross-check with it', async () => {
    const gate = spawn(
      process.execPath,
      [
        ...cliArgs,
        'check',
        join(FIXTURES, 'alembic-env-hang'),
        '--postgres',
        'local',
        '--python',
        await pythonWithAlembic(),
        '--step-timeout',
        '600',
      ],
      { stdio: 'ignore' },
    )
    const helperRuns = () => processesWith('alembic-env-hang').some((l) => /helper\.py|alembic_helper\.py/.test(l))
    try {
      expect(await waitUntil(helperRuns, 60)).toBe(true)
    } finally {
      gate.kill('SIGKILL')
    }
    await new Promise((r) => gate.once('exit', r))
    // The helper (and the Alembic cross-check, which loads env.py too) notice on their watchdog
    // pipes; SIGKILL left the gate no chance to stop them itself.
    expect(await waitUntil(() => processesWith('alembic-env-hang').length === 0, 15)).toBe(true)
    // The server the killed gate started is left for the next run's sweep: do it now.
    await removeStaleClusters()
  })
})
