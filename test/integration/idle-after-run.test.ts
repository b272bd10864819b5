// After a run, the process has nothing left to wait for: no timer, socket or child process that was
// not there before. A pending timer once kept every run with a local server alive 5 s after its
// verdict; users wait for the process, so this is checked on a real run in a fresh process.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { pythonWithAlembic } from '../support/python.js'

const root = join(import.meta.dirname, '..', '..')
const fixtures = join(root, 'test', 'fixtures')

function leftAfterRun(fixture: string, postgres: string, python?: string, mode?: string, env?: Record<string, string>) {
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      join(root, 'test', 'support', 'idle-after-run.ts'),
      join(fixtures, fixture),
      postgres,
      ...(python ? [python] : []),
      ...(mode ? [mode] : []),
    ],
    { encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } },
  )
  expect(r.status, r.stderr).toBe(0)
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as {
    result: string
    provider: string
    before: string[]
    after: string[]
  }
  // What is still pending now, less what was pending before the run (counted: two timers before and
  // three after leave one).
  const left = [...out.after]
  for (const kind of out.before) {
    const i = left.indexOf(kind)
    if (i >= 0) left.splice(i, 1)
  }
  return { ...out, left }
}

describe('the process has nothing left to wait for after a run', () => {
  it.each(['local', 'embedded'])('a SQL stairway on the %s provider', (postgres) => {
    const run = leftAfterRun('sql-golang-residue', postgres)
    expect(run.provider).toBe(postgres)
    expect(run.result).toBe('fail') // the run really replayed: the fixture's residue was found
    expect(run.left).toEqual([])
  })

  it('an Alembic stairway (the Python helper, the cross-check) on the local provider', async () => {
    const run = leftAfterRun('alembic-enum-residue', 'local', await pythonWithAlembic())
    expect(run.result).toBe('fail')
    expect(run.left).toEqual([])
  })

  it('an Alembic stairway that rebuilds (a spare helper is started ahead of the next database)', async () => {
    const run = leftAfterRun('alembic-enum-residue', 'local', await pythonWithAlembic(), undefined, {
      MIGRATION_GATE_RESIDUE_REPAIR: 'off',
      MIGRATION_GATE_REBUILD_CHECKPOINTS: 'always',
    })
    expect(run.result).toBe('fail')
    expect(run.left).toEqual([])
  })

  it.each(['static', 'roundtrip'])(
    'an Alembic %s run (the cross-check started beside the static reading)',
    async (mode) => {
      const run = leftAfterRun('alembic-enum-residue', 'local', await pythonWithAlembic(), mode)
      // static passes (the residue needs a replay to be seen); roundtrip replays and finds it.
      expect(run.result).toBe(mode === 'static' ? 'pass' : 'fail')
      expect(run.left).toEqual([])
    },
  )
})
