// Graph helpers over a RevisionGraph, shared by the chain check and the replay: which revisions are
// heads and bases, and an order that applies every revision after its parents.
import type { RevisionGraph, RevisionNode } from '../drivers/driver.js'

/** A graph with its lookups built once. Duplicated ids keep their first node (by file, then id). */
export interface GraphIndex {
  /** Nodes sorted by file, then id: the deterministic order everything else follows. */
  nodes: RevisionNode[]
  /** One node per id. */
  byId: Map<string, RevisionNode>
  /** Branch label -> the revision that declares it (a tool with labels resolves them in parents and prerequisites like ids). */
  byLabel: Map<string, RevisionNode>
  /** id -> ids that name it as a parent (down_revision), without depends_on. */
  children: Map<string, string[]>
}

/** Code-unit order: the same on every machine, unlike localeCompare. */
export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

const byFileThenId = (a: RevisionNode, b: RevisionNode): number =>
  compareText(a.file, b.file) || compareText(a.id, b.id)

export function indexGraph(graph: RevisionGraph): GraphIndex {
  const nodes = [...graph.nodes].sort(byFileThenId)
  const byId = new Map<string, RevisionNode>()
  const byLabel = new Map<string, RevisionNode>()
  for (const node of nodes) if (!byId.has(node.id)) byId.set(node.id, node)
  for (const node of byId.values())
    for (const label of node.branchLabels) if (!byLabel.has(label)) byLabel.set(label, node)
  const index: GraphIndex = { nodes, byId, byLabel, children: new Map() }
  for (const node of nodes) {
    for (const ref of node.parents) {
      const parent = resolve(index, ref)
      if (!parent) continue
      const list = index.children.get(parent.id) ?? []
      if (!list.includes(node.id)) list.push(node.id)
      index.children.set(parent.id, list)
    }
  }
  return index
}

/** A revision id, or a branch label naming the revision that declares it. */
export function resolve(index: GraphIndex, ref: string): RevisionNode | undefined {
  return index.byId.get(ref) ?? index.byLabel.get(ref)
}

/** Revisions no other revision names as a parent (the tool's heads: a prerequisite in dependsOn does not count). */
export function heads(graph: RevisionGraph | GraphIndex): string[] {
  const index = asIndex(graph)
  return [...index.byId.keys()].filter((id) => !index.children.has(id))
}

/** Revisions without parents. */
export function bases(graph: RevisionGraph | GraphIndex): string[] {
  const index = asIndex(graph)
  return [...index.byId.values()].filter((n) => n.parents.length === 0).map((n) => n.id)
}

/** Prerequisites of a node that exist: parents and depends_on, resolved, without duplicates. */
export function prerequisites(index: GraphIndex, node: RevisionNode): RevisionNode[] {
  const found = new Map<string, RevisionNode>()
  for (const ref of [...node.parents, ...node.dependsOn]) {
    const target = resolve(index, ref)
    if (target) found.set(target.id, target)
  }
  return [...found.values()]
}

/**
 * Every revision once, each after its parents and depends_on targets; deterministic. Depth first:
 * after a revision come its children while they are ready, so one branch is walked to its end
 * before the next starts (a stairway reads the way the history was written). Missing parents are
 * ignored; revisions in a cycle, and those after one, are left out (the chain check reports them).
 */
export function topologicalOrder(graph: RevisionGraph | GraphIndex): string[] {
  return orderedNodes(asIndex(graph)).map((n) => n.id)
}

/** topologicalOrder, as nodes. */
export function orderedNodes(index: GraphIndex): RevisionNode[] {
  const pending = new Map<string, number>()
  const dependents = new Map<string, RevisionNode[]>()
  for (const node of index.byId.values()) {
    const pre = prerequisites(index, node)
    pending.set(node.id, pre.length)
    for (const p of pre) {
      const list = dependents.get(p.id)
      if (list) list.push(node)
      else dependents.set(p.id, [node])
    }
  }
  // A stack, so the children of the revision just placed come next; pushed in reverse to pop in order.
  const stack = [...index.byId.values()]
    .filter((n) => pending.get(n.id) === 0)
    .sort(byFileThenId)
    .reverse()
  const order: RevisionNode[] = []
  while (stack.length > 0) {
    const node = stack.pop() as RevisionNode
    order.push(node)
    const ready: RevisionNode[] = []
    for (const d of dependents.get(node.id) ?? []) {
      const left = (pending.get(d.id) ?? 0) - 1
      pending.set(d.id, left)
      if (left === 0) ready.push(d)
    }
    stack.push(...ready.sort(byFileThenId).reverse())
  }
  return order
}

function asIndex(graph: RevisionGraph | GraphIndex): GraphIndex {
  return 'byId' in graph ? graph : indexGraph(graph)
}
