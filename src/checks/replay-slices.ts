// Splitting the stairway across databases that run side by side. The stairway is a long chain of short,
// strictly sequential round trips (Python runs a step, PostgreSQL captures the catalog, Node compares),
// so one database keeps about one core busy. A slice is a contiguous run of revisions replayed on its
// own database, which first runs the steps one database would have run before it (its prefix: up,
// down, up per revision, without the catalog comparisons that are most of the cost), so that it starts
// from the same state, data and sequence values included.

export interface Slice {
  /** Revisions replayed unchecked to reach the slice's start: everything before it in the order. */
  prefix: string[]
  /** Revisions replayed up, down, up. */
  revisions: string[]
}

/**
 * Chains shorter than this per database are not worth a second Python process and database: measured
 * by bench/replay.ts with two cores free, two databases took 5% less time than one at 100 revisions,
 * 24% less at 200, 45% less at 1,000 (the steps before a slice are replayed on its database, unchecked).
 */
export const MIN_REVISIONS_PER_WORKER = 50
/** More databases than this stop paying: each needs its prefix and a helper, and the cores run out. */
export const MAX_AUTO_WORKERS = 4

/**
 * Cores one database keeps busy: while a step runs, the Python helper and the PostgreSQL backend
 * executing it; while the catalog is captured, the backend. Measured on two cores (bench/process.ts,
 * 200 and 1,000 revisions with a broken revision every 20): a second database was 28% slower than one
 * at 200 revisions and 3% faster at 1,000, so a second database pays only where it gets cores of its own.
 */
export const CORES_PER_DATABASE = 2

/** `replay-workers: auto`: one database per CORES_PER_DATABASE cores, at most MAX_AUTO_WORKERS, none with a short slice. */
export function autoWorkers(revisions: number, cores: number): number {
  const byCores = Math.floor(cores / CORES_PER_DATABASE)
  return Math.max(1, Math.min(byCores, MAX_AUTO_WORKERS, Math.floor(revisions / MIN_REVISIONS_PER_WORKER)))
}

/**
 * What a revision costs, in units of a revision on an empty schema, by position. A stairway revision is
 * three migration steps and three catalog captures, and a capture costs more the more schema already
 * stands: by position, not by share of the chain. Fitted to bench/replay.ts (generated chains, two
 * databases, one core each): ~17 ms for a revision on an empty schema plus ~0.12 ms per revision before it
 * (at 200 and at 1,000 revisions alike); a prefix revision (three steps, no captures) ~12 ms.
 */
const revisionCost = (index: number) => 1 + index / 140
const PREFIX_COST = 0.7

/**
 * Contiguous slices in order, at most `workers`, each non-empty, balanced by the cost model above so
 * the databases finish together. One slice (the plain stairway) when workers <= 1.
 */
export function planSlices(order: readonly string[], workers: number): Slice[] {
  const n = order.length
  const k = Math.max(1, Math.min(Math.floor(workers), n))
  if (k <= 1) return [{ prefix: [], revisions: [...order] }]

  // Binary search on the largest slice cost, filling slices greedily from the start. Costs come from
  // running sums, so a pass is linear in the chain (10,000 revisions plan in milliseconds).
  const sums = [0]
  for (let i = 0; i < n; i++) sums.push((sums[i] as number) + revisionCost(i))
  const cost = (start: number, end: number) => start * PREFIX_COST + (sums[end] as number) - (sums[start] as number)
  const cuts = (limit: number): number[] | null => {
    const starts = [0]
    let start = 0
    for (let i = 0; i < n; i++) {
      if (i > start && cost(start, i + 1) > limit) {
        start = i
        starts.push(i)
        if (starts.length > k) return null
      }
    }
    return starts
  }
  let lo = 0
  let hi = cost(0, n)
  for (let iteration = 0; iteration < 50; iteration++) {
    const mid = (lo + hi) / 2
    if (cuts(mid)) hi = mid
    else lo = mid
  }
  const starts = cuts(hi) ?? [0]
  // The greedy fill may use fewer slices than allowed on tiny chains: split the largest until k.
  while (starts.length < k) {
    let widest = 0
    for (let s = 0; s < starts.length; s++) {
      const len = (starts[s + 1] ?? n) - (starts[s] ?? 0)
      if (len > (starts[widest + 1] ?? n) - (starts[widest] ?? 0)) widest = s
    }
    const from = starts[widest] ?? 0
    const to = starts[widest + 1] ?? n
    if (to - from < 2) break
    starts.splice(widest + 1, 0, from + Math.floor((to - from) / 2))
  }
  return starts.map((from, s) => ({
    prefix: order.slice(0, from),
    revisions: order.slice(from, starts[s + 1] ?? n),
  }))
}
