// The replay's server starts at the beginning of the run, beside the static and git phases (gate.ts,
// EarlyScratchServer). A run that then does not replay (the chain blocks it, an error comes first)
// must still leave nothing behind: no cluster dir, no process working in one.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runGate } from '../../src/gate.js'
import { readConfig } from '../../src/inputs.js'
import { silentLogger } from '../../src/logger.js'
import { clusterDirsOf, processesIn } from '../support/leftovers.js'
import { pythonWithAlembic } from '../support/python.js'

const fixtures = join(import.meta.dirname, '..', 'fixtures')

async function config(fixture: string, extra: Record<string, string> = {}) {
  const inputs = new Map<string, string>(
    Object.entries({
      'working-directory': join(fixtures, fixture),
      postgres: 'local',
      python: await pythonWithAlembic(),
      ...extra,
    }),
  )
  return readConfig((name) => inputs.get(name))
}

function clustersOfThisProcess(): string[] {
  return clusterDirsOf(process.pid)
}

describe('a server started early and not replayed on', () => {
  it('is stopped when the chain blocks the replay', async () => {
    const before = new Set(clustersOfThisProcess())
    const report = await runGate(await config('alembic-chain-missing-parent'), { logger: silentLogger })
    expect(report.notes.some((n) => n.startsWith('replay skipped: the chain has missing-parent'))).toBe(true)
    // It did start (its start is timed), beside the static phase, and is not reported: nothing ran on it.
    expect(report.timings.phases.postgres).toBeDefined()
    expect(report.postgres).toBeUndefined()
    const left = clustersOfThisProcess().filter((d) => !before.has(d))
    expect(left).toEqual([])
  })

  it('is stopped when the run fails before the replay (a base-ref that does not exist)', async () => {
    const before = new Set(clustersOfThisProcess())
    const started = new Set<string>()
    // Seen while it runs: the dirs the run made, to look for their processes afterwards.
    const watch = setInterval(() => {
      for (const d of clustersOfThisProcess()) if (!before.has(d)) started.add(d)
    }, 20)
    try {
      await expect(
        runGate(await config('alembic-enum-residue', { 'base-ref': 'no-such-ref-for-early-server' }), {
          logger: silentLogger,
        }),
      ).rejects.toThrow(/base-ref: no-such-ref-for-early-server is not in the clone/)
    } finally {
      clearInterval(watch)
    }
    expect(started.size).toBeGreaterThan(0)
    expect(clustersOfThisProcess().filter((d) => !before.has(d))).toEqual([])
    for (const dir of started) expect(processesIn(dir)).toEqual([])
  })

  it('is stopped when what the replay needs besides it is missing (no interpreter)', async () => {
    const before = new Set(clustersOfThisProcess())
    const missing = join(fixtures, 'no-such-python')
    const started = new Set<string>()
    const watch = setInterval(() => {
      for (const d of clustersOfThisProcess()) if (!before.has(d)) started.add(d)
    }, 20)
    try {
      await expect(
        runGate(await config('alembic-enum-residue', { python: missing }), { logger: silentLogger }),
      ).rejects.toThrow(`python: ${missing} does not exist`)
    } finally {
      clearInterval(watch)
    }
    expect(clustersOfThisProcess().filter((d) => !before.has(d))).toEqual([])
    for (const dir of started) expect(processesIn(dir)).toEqual([])
  })
})
