// What the gate must find on a generated chain, per mode, from the defects the plan planted
// (synthetic-chain.ts). The bench compares the report's findings, counted by id, with this: a
// mismatch means the chain or the gate changed, and the figures are not of the run the plan says.
import type { ChainPlan } from './synthetic-chain.js'

export type FindingCounts = Record<string, number>

export function expectedFindings(plan: ChainPlan, mode: 'static' | 'roundtrip' | 'stairway'): FindingCounts {
  const counts: FindingCounts = {}
  const add = (id: string) => (counts[id] = (counts[id] ?? 0) + 1)
  if (mode === 'static') return counts
  const defective = plan.revisions.filter((r) => r.defect !== undefined)
  if (mode === 'stairway') {
    // Each defect is seen on its own revision: the database is rebuilt after it, so none hides another.
    for (const r of defective) add(r.defect === 'irreversible' ? 'irreversible-migration' : 'downgrade-residue')
    return counts
  }
  // roundtrip: the downgrade from head stops at the newest irreversible revision.
  const stop = defective.filter((r) => r.defect === 'irreversible').at(-1)
  const downgraded = defective.filter((r) => r.index > (stop?.index ?? -1))
  if (stop) add('irreversible-migration')
  // At base, the forgotten enum types are one difference from the empty start.
  else if (downgraded.some((r) => r.defect === 'enum-residue')) add('downgrade-residue')
  // The upgrade again fails at the first revision whose leftover is still there: an enum type always
  // is; a forgotten index only while its table stands (the table was created before the stop).
  const fails = downgraded.find(
    (r) =>
      r.defect === 'enum-residue' ||
      (r.defect === 'index-residue' && stop !== undefined && (r.defectTableAt ?? Infinity) <= stop.index),
  )
  if (fails) add('reupgrade-mismatch')
  return counts
}

/** "downgrade-residue 3, irreversible-migration 2" (ids sorted), or "none". */
export function formatCounts(counts: FindingCounts): string {
  const ids = Object.keys(counts).sort()
  return ids.length === 0 ? 'none' : ids.map((id) => `${id} ${counts[id]}`).join(', ')
}

export function sameCounts(a: FindingCounts, b: FindingCounts): boolean {
  return formatCounts(a) === formatCounts(b)
}
