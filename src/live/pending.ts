// What `upgrade head` will apply to the live database: the chain's revisions it has not applied, in
// the order the tool applies them. How the version table's rows say what is applied is the driver's
// (LiveState.applied); which rows the chain does not know is said here too.
import { indexGraph, orderedNodes, prerequisites, resolve } from '../checks/topo.js'
import type { LiveState, RevisionGraph, RevisionNode } from '../drivers/driver.js'

export interface LiveStanding {
  /** Rows naming a revision no migration declares. */
  unknown: string[]
  /** In order; null when the way from the database to head cannot be told (it is at an unknown revision). */
  pending: RevisionNode[] | null
}

export function liveStanding(graph: RevisionGraph, state: Pick<LiveState, 'revisions' | 'applied'>): LiveStanding {
  const index = indexGraph(graph)
  const unknown = state.revisions.filter((r) => !resolve(index, r))
  const order = orderedNodes(index)
  if (state.applied === 'each') {
    // Every applied version is a row: any other file is pending, older ones too (dbmate applies them).
    const applied = new Set(state.revisions)
    return { unknown, pending: order.filter((n) => !applied.has(n.id)) }
  }
  // 'heads' and 'latest': a row's revision and everything it builds on are applied; from a revision
  // the chain does not know, the tool cannot find its way.
  if (unknown.length > 0) return { unknown, pending: null }
  const applied = new Set<string>()
  const stack = state.revisions.map((r) => resolve(index, r)!).filter(Boolean)
  while (stack.length > 0) {
    const node = stack.pop()!
    if (applied.has(node.id)) continue
    applied.add(node.id)
    stack.push(...prerequisites(index, node))
  }
  return { unknown, pending: order.filter((n) => !applied.has(n.id)) }
}

/** The version the tool goes back to before `version`: its parent, else the one before it in the chain. */
export function versionBefore(graph: RevisionGraph, version: string): string | undefined {
  const node = graph.nodes.find((n) => n.id === version)
  const order = graph.nodes.map((n) => n.id)
  const at = order.indexOf(version)
  return node?.parents[0] ?? (at > 0 ? order[at - 1] : undefined)
}
