import { describe, expect, it } from 'vitest'
import {
  autoWorkers,
  CORES_PER_DATABASE,
  MAX_AUTO_WORKERS,
  MIN_REVISIONS_PER_WORKER,
  planSlices,
} from '../../src/checks/replay-slices.js'

const chain = (n: number) => Array.from({ length: n }, (_, i) => `r${i + 1}`)

describe('planSlices', () => {
  it('keeps one slice, the whole chain with no prefix, for one worker', () => {
    expect(planSlices(chain(5), 1)).toEqual([{ prefix: [], revisions: chain(5) }])
    expect(planSlices([], 4)).toEqual([{ prefix: [], revisions: [] }])
  })

  it.each([
    [2, 2],
    [3, 2],
    [7, 3],
    [50, 2],
    [200, 2],
    [200, 3],
    [1000, 4],
  ])('cuts %i revisions into %i contiguous, non-empty slices whose prefix is everything before', (n, k) => {
    const order = chain(n)
    const slices = planSlices(order, k)
    expect(slices).toHaveLength(k)
    expect(slices.flatMap((s) => s.revisions)).toEqual(order)
    for (const s of slices) {
      expect(s.revisions.length).toBeGreaterThan(0)
      expect(s.prefix).toEqual(order.slice(0, order.indexOf(s.revisions[0] as string)))
    }
  })

  it('never plans more slices than revisions', () => {
    expect(planSlices(chain(2), 8)).toHaveLength(2)
  })

  it('gives later slices fewer revisions: their schema is larger and they start with a prefix', () => {
    const sizes = planSlices(chain(200), 2).map((s) => s.revisions.length)
    expect(sizes[0]).toBeGreaterThan(sizes[1] as number)
    // ...but not absurdly fewer: at 200 revisions the last one costs ~2.4 times the first, and a
    // revision replayed unchecked before the slice ~0.7 of the first.
    expect(sizes[1]).toBeGreaterThan(40)
  })
})

describe('autoWorkers', () => {
  it('uses one database for short chains, whatever the cores', () => {
    expect(autoWorkers(10, 8)).toBe(1)
    expect(autoWorkers(2 * MIN_REVISIONS_PER_WORKER - 1, 8)).toBe(1)
  })

  it('uses one per CORES_PER_DATABASE cores for long chains, at most MAX_AUTO_WORKERS', () => {
    expect(autoWorkers(200, 2)).toBe(1)
    expect(autoWorkers(200, 3)).toBe(1)
    expect(autoWorkers(200, 4)).toBe(2)
    expect(autoWorkers(1000, 64)).toBe(MAX_AUTO_WORKERS)
    expect(autoWorkers(1000, 1)).toBe(1)
    expect(autoWorkers(3 * MIN_REVISIONS_PER_WORKER, 8)).toBe(3)
    expect(autoWorkers(3 * MIN_REVISIONS_PER_WORKER, 3 * CORES_PER_DATABASE)).toBe(3)
  })
})
