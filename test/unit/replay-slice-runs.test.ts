// How slices side by side hear of an earlier slice's comparison rebuilds (src/checks/replay-slice-runs.ts):
// a run that has not reached the revision rebuilds there too; one that went past it, or rebuilt on a
// point since withdrawn, is stopped. Pure bookkeeping, no database.
import { describe, expect, it } from 'vitest'
import { ComparedRebuilds } from '../../src/checks/replay-slice-runs.js'
import { silentLogger } from '../../src/logger.js'

describe('comparison rebuilds published between slices', () => {
  it('tells a run that has not reached the revision, and leaves it running', () => {
    const board = new ComparedRebuilds(2, silentLogger)
    board.begin(0)
    const run = board.begin(1)
    const told = run.told(() => board.before(1))
    expect(told('r1')).toBe(false)
    board.add(0, 'r2')
    expect(run.aborted).toBe(false)
    expect(told('r2')).toBe(true)
    expect(run.agreesWith(board.before(1))).toBe(true)
  })

  it('stops a run that went past the revision without rebuilding', async () => {
    const board = new ComparedRebuilds(3, silentLogger)
    board.begin(0)
    const second = board.begin(1)
    const third = board.begin(2)
    second.told(() => board.before(1))('r2')
    board.add(0, 'r2')
    expect(second.aborted).toBe(true)
    await second.invalidated
    // The third slice had not reached r2: it hears of it when it does.
    expect(third.aborted).toBe(false)
  })

  it("stops a run that rebuilt on a point an earlier slice's new run withdrew", () => {
    const board = new ComparedRebuilds(3, silentLogger)
    board.begin(0)
    board.begin(1)
    board.add(1, 'r4')
    const third = board.begin(2)
    expect(third.told(() => board.before(2))('r4')).toBe(true)
    board.begin(1)
    expect(third.aborted).toBe(true)
    expect(board.before(2).has('r4')).toBe(false)
  })

  it('never stops the slice that published, nor one before it', () => {
    const board = new ComparedRebuilds(2, silentLogger)
    const first = board.begin(0)
    const second = board.begin(1)
    board.add(1, 'r9')
    board.add(0, 'r1')
    expect(first.aborted).toBe(false)
    expect(second.aborted).toBe(false)
  })
})
