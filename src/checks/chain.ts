// Chain integrity over any RevisionGraph: duplicate ids, cycles, missing parents, extra bases and
// heads. Nothing here knows a tool: the words a message uses for the tool's fields, errors and
// commands come in through a ChainWording (each driver's wording.ts).
import type { ChainWording, RevisionGraph, RevisionNode } from '../drivers/driver.js'
import type { Finding } from '../report.js'
import { duplicateRevision } from '../findings/duplicate-revision.js'
import { missingParent } from '../findings/missing-parent.js'
import { multipleBases } from '../findings/multiple-bases.js'
import { multipleHeads } from '../findings/multiple-heads.js'
import { revisionCycle } from '../findings/revision-cycle.js'
import {
  compareText,
  heads as headsOf,
  indexGraph,
  orderedNodes,
  prerequisites,
  resolve,
  type GraphIndex,
} from './topo.js'

/** A RevisionNode as a driver may extend it: the line of the depends_on declaration, when it has one. */
type ChainNode = RevisionNode & { dependsOnLine?: number }

/** Words for a tool without its own: only its name is known. */
export function genericWording(tool = 'the migration tool'): ChainWording {
  return {
    tool,
    parentField: 'parent',
    dependsField: 'dependency',
    labels: false,
    multipleHeads: `upgrading to the head fails: ${tool} cannot tell which revision is the latest`,
    missing: (ref) => `nothing after '${ref}' can run: ${tool} cannot place it`,
    duplicate: `only one of them can run under ${tool}; the other migration never does`,
    cycle: `no upgrade can run: ${tool} cannot order the revisions`,
    newId: 'give it a new id',
  }
}

/**
 * Runs every chain rule. The graph's own problems (unparseable files) are not repeated here: the
 * caller reports graph.problems once. `wording` overrides the generic words, field by field.
 */
export function checkChain(graph: RevisionGraph, wording: Partial<ChainWording> = {}): Finding[] {
  const w: ChainWording = { ...genericWording(wording.tool), ...wording }
  const index = indexGraph(graph)
  const order = orderedNodes(index)
  const lost = orphans(index, order)
  // Ids of files that could not be read: a revision naming one is not "missing", the file is broken.
  const unreadable = new Set(graph.problems.map((p) => p.revision).filter((r): r is string => r !== undefined))
  return [
    ...duplicates(index, w),
    ...cycles(index, w),
    ...missing(index, lost, unreadable, w),
    ...extraBases(index, w),
    ...extraHeads(index, order, lost, w),
  ]
}

function duplicates(index: GraphIndex, w: ChainWording): Finding[] {
  const groups = new Map<string, RevisionNode[]>()
  for (const node of index.nodes) {
    const group = groups.get(node.id)
    if (group) group.push(node)
    else groups.set(node.id, [node])
  }
  const findings: Finding[] = []
  for (const [id, nodes] of groups) {
    if (nodes.length < 2) continue
    const later = nodes[nodes.length - 1] as RevisionNode
    const files = nodes.map((n) => `${n.file}:${n.line}`)
    findings.push(
      duplicateRevision(
        { id, files, consequence: w.duplicate, newId: w.newId, parentField: w.parentField },
        {
          revision: id,
          file: later.file,
          line: later.line,
          details: nodes.map((n) => `${n.file}:${n.line}${n.message ? `  ${n.message}` : ''}`),
        },
      ),
    )
  }
  return findings
}

function cycles(index: GraphIndex, w: ChainWording): Finding[] {
  return stronglyConnected(index)
    .map((component) => cyclePath(index, component))
    .filter((path): path is RevisionNode[] => path !== undefined)
    .map((path) => {
      const start = path[0] as RevisionNode
      const fields = path.map((node, i) => {
        const next = path[(i + 1) % path.length] as RevisionNode
        return node.parents.some((r) => resolve(index, r)?.id === next.id) ? w.parentField : w.dependsField
      })
      const edges = path.map((node, i) => {
        const field = fields[i] as string
        const next = path[(i + 1) % path.length] as RevisionNode
        return `${node.id} (${node.file}:${lineOf(node, field === w.parentField ? 'parents' : 'depends')}) names ${next.id} as ${field}`
      })
      return revisionCycle(
        {
          ring: [...path, start].map((n) => n.id),
          via: [...new Set(fields)].join(' or '),
          parentField: w.parentField,
          consequence: w.cycle,
        },
        { revision: start.id, file: start.file, line: lineOf(start, 'parents'), details: edges },
      )
    })
}

function missing(index: GraphIndex, lost: Set<string>, unreadable: Set<string>, w: ChainWording): Finding[] {
  const findings: Finding[] = []
  const current = headsOf(index).filter((h) => !lost.has(h))
  for (const node of index.nodes) {
    // The heads to point at: those of the scope the reference is in (Django: the named app's leaf).
    const near = (ref: string) => {
      const scope = w.scopeOf ? w.scopeOf(ref) : node.scope
      return current.filter((h) => h !== node.id && index.byId.get(h)?.scope === scope)
    }
    for (const [field, refs] of [
      [w.parentField, node.parents],
      [w.dependsField, node.dependsOn],
    ] as const) {
      for (const ref of refs) {
        if (resolve(index, ref) || unreadable.has(ref)) continue
        const isParent = field === w.parentField
        findings.push(
          missingParent(
            {
              file: node.file,
              revision: node.id,
              field,
              isParent,
              ref,
              labels: w.labels,
              consequence: w.missing(ref),
              heads: near(ref),
            },
            { revision: node.id, file: node.file, line: lineOf(node, isParent ? 'parents' : 'depends') },
          ),
        )
      }
    }
  }
  return findings
}

/*
 * Branch labels. A tool with labels still fails to upgrade to "head" whenever there is more than one
 * head, labels or not (ChainWording.multipleHeads says how); projects with labelled branches upgrade
 * to every head. The tool's own multi-base workflow labels the new base, often leaving the original
 * trunk unlabelled. So extra heads (or bases) are intended when each of them carries a branch label
 * no other one carries, except at most one without any label (the trunk); a head inherits the labels
 * of its ancestors, as the tool has it. Heads sharing their labels
 * (a fork inside a labelled branch) or several unlabelled ones are an accidental fork: an error.
 * A labelled layout gives no finding; the report still lists every head.
 *
 * Returns the groups that need merging: the unlabelled ones together, and those sharing labels
 * together by label set. No groups: intended.
 */
function forks(ids: string[], labelsOf: (id: string) => Set<string>): string[][] {
  const counts = new Map<string, number>()
  for (const id of ids) for (const l of labelsOf(id)) counts.set(l, (counts.get(l) ?? 0) + 1)
  const groups = new Map<string, string[]>()
  for (const id of ids) {
    const labels = [...labelsOf(id)]
    if (labels.some((l) => counts.get(l) === 1)) continue
    const key = labels.sort().join(' ')
    groups.set(key, [...(groups.get(key) ?? []), id])
  }
  return [...groups.values()].filter((group) => group.length > 1)
}

function extraBases(index: GraphIndex, w: ChainWording): Finding[] {
  if (w.singleBase === false) return []
  const list = [...index.byId.values()].filter((n) => n.parents.length === 0)
  const groups = forks(
    list.map((n) => n.id),
    (id) => new Set(index.byId.get(id)?.branchLabels),
  )
  const last = groups.flat().pop()
  if (last === undefined) return []
  const at = index.byId.get(last) as RevisionNode
  return [
    multipleBases(
      { bases: list.map((n) => describe(n)), parentField: w.parentField, at, labels: w.labels },
      { revision: at.id, file: at.file, line: lineOf(at, 'parents'), details: list.map((n) => detail(n)) },
    ),
  ]
}

function extraHeads(index: GraphIndex, order: RevisionNode[], lost: Set<string>, w: ChainWording): Finding[] {
  // A chain hanging off a missing parent is reported as missing-parent: where it belongs is unknown.
  const all = headsOf(index).filter((id) => !lost.has(id))
  const labels = effectiveLabels(index, order)
  // Heads are judged within each scope (Django: per app); nodes without one share a single scope.
  const scopeOf = (id: string): string => index.byId.get(id)?.scope ?? ''
  const scopes = [...new Set(all.map(scopeOf))]
  const groups = scopes.flatMap((s) =>
    forks(
      all.filter((id) => scopeOf(id) === s),
      (id) => labels.get(id) ?? new Set(),
    ),
  )
  if (groups.length === 0) return []
  const scoped = scopes.some((s) => s !== '')
  // In a scoped chain only the scopes that fork are news: every app has its own leaf.
  const list = scoped ? groups.flat() : all
  const forked = [...new Set(groups.flat().map(scopeOf))]
  const depth = depths(index, order)
  // The newest head among those to merge: the deepest, then the last by file. The finding points at it.
  const newestOf = (group: string[]): string =>
    [...group]
      .sort((a, b) => (depth.get(a) ?? 0) - (depth.get(b) ?? 0) || compareText(fileOf(index, a), fileOf(index, b)))
      .pop() as string
  const newest = newestOf(groups.flat())
  const node = index.byId.get(newest) as RevisionNode
  // A scoped tool merges per scope (Django: `makemigrations --merge <app>`), so the heads are always named.
  const merges =
    !scoped && groups.length === 1 && groups[0]?.length === list.length
      ? [w.merge?.()]
      : groups.map((g) => w.merge?.(g))
  const fixes = [
    merges.every(Boolean)
      ? `run ${merges.map((m) => `\`${m}\``).join(' and ')} and commit the merge revision${merges.length > 1 ? 's' : ''}`
      : undefined,
    ...groups.map((group) => reparent(index, newestOf(group), group, w)),
  ].filter((fix): fix is string => fix !== undefined)
  return [
    multipleHeads(
      {
        heads: list.map((id) => describe(index.byId.get(id) as RevisionNode, labels.get(id))),
        consequence: w.multipleHeads,
        fixes,
        newest,
        ...(scoped
          ? { where: `in ${w.scopeNoun ?? 'scope'}${forked.length > 1 ? 's' : ''} ${forked.join(', ')}` }
          : {}),
      },
      {
        revision: newest,
        file: node.file,
        line: lineOf(node, 'parents'),
        details: list.map((id) => detail(index.byId.get(id) as RevisionNode, labels.get(id))),
      },
    ),
  ]
}

/** Revisions whose ancestry reaches a parent that does not exist. */
function orphans(index: GraphIndex, order: RevisionNode[]): Set<string> {
  const lost = new Set<string>()
  for (const node of order) {
    const parents = node.parents.map((r) => resolve(index, r))
    if (parents.some((p) => !p || lost.has(p.id))) lost.add(node.id)
  }
  return lost
}

/** Labels a revision carries: its own and its ancestors' (labels propagate down a branch). */
function effectiveLabels(index: GraphIndex, order: RevisionNode[]): Map<string, Set<string>> {
  const labels = new Map<string, Set<string>>()
  for (const node of order) {
    const set = new Set(node.branchLabels)
    for (const r of node.parents) for (const l of labels.get(resolve(index, r)?.id ?? '') ?? []) set.add(l)
    labels.set(node.id, set)
  }
  return labels
}

/** Longest path from a first revision, over parents and depends_on. */
function depths(index: GraphIndex, order: RevisionNode[]): Map<string, number> {
  const depth = new Map<string, number>()
  for (const node of order) {
    depth.set(node.id, Math.max(0, ...prerequisites(index, node).map((p) => (depth.get(p.id) ?? 0) + 1)))
  }
  return depth
}

/** The re-parenting fix for a fork of two heads: the newer branch moves onto the other head. */
function reparent(index: GraphIndex, newest: string, group: string[], w: ChainWording): string | undefined {
  const others = group.filter((h) => h !== newest)
  const other = others[0]
  if (others.length !== 1 || other === undefined) return undefined
  const fork = firstAfterFork(index, newest, others)
  if (!fork) return undefined
  const what = fork.id === newest ? newest : `the branch ending in ${newest}`
  const value = w.parentValue ? w.parentValue(other) : `'${other}'`
  return `if ${what} has not been applied anywhere yet, set ${w.parentField} in ${fork.file} (line ${lineOf(fork, 'parents')}) to ${value}`
}

/** Walking up from `head`, the last revision that no other head descends from: the one to re-parent. */
function firstAfterFork(index: GraphIndex, head: string, others: string[]): RevisionNode | undefined {
  // Every ancestor of the other heads (a stack, not recursion: histories run to thousands).
  const shared = new Set<string>()
  const stack = [...others]
  while (stack.length > 0) {
    const id = stack.pop() as string
    if (shared.has(id)) continue
    shared.add(id)
    for (const r of index.byId.get(id)?.parents ?? []) {
      const p = resolve(index, r)
      if (p) stack.push(p.id)
    }
  }
  let node = index.byId.get(head)
  for (;;) {
    if (!node || node.parents.length !== 1) return node
    const parent = resolve(index, node.parents[0] as string)
    if (!parent || shared.has(parent.id) || (index.children.get(parent.id)?.length ?? 0) > 1) return node
    node = parent
  }
}

/** Strongly connected components with a cycle (Tarjan), over parents and depends_on. */
function stronglyConnected(index: GraphIndex): RevisionNode[][] {
  const order = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const found: RevisionNode[][] = []
  let counter = 0
  const visit = (start: RevisionNode): void => {
    // Iterative, so a history of thousands of revisions does not exhaust the call stack.
    const work: { node: RevisionNode; next: RevisionNode[]; i: number }[] = []
    const enter = (node: RevisionNode): void => {
      order.set(node.id, counter)
      low.set(node.id, counter++)
      stack.push(node.id)
      onStack.add(node.id)
      work.push({ node, next: prerequisites(index, node), i: 0 })
    }
    enter(start)
    while (work.length > 0) {
      const frame = work[work.length - 1] as (typeof work)[number]
      const id = frame.node.id
      if (frame.i < frame.next.length) {
        const to = frame.next[frame.i++] as RevisionNode
        if (!order.has(to.id)) enter(to)
        else if (onStack.has(to.id)) low.set(id, Math.min(low.get(id) as number, order.get(to.id) as number))
        continue
      }
      work.pop()
      const parent = work[work.length - 1]
      if (parent) low.set(parent.node.id, Math.min(low.get(parent.node.id) as number, low.get(id) as number))
      if (low.get(id) !== order.get(id)) continue
      const component: RevisionNode[] = []
      for (;;) {
        const member = stack.pop() as string
        onStack.delete(member)
        component.push(index.byId.get(member) as RevisionNode)
        if (member === id) break
      }
      const selfLoop = component.length === 1 && prerequisites(index, frame.node).some((p) => p.id === id)
      if (component.length > 1 || selfLoop) found.push(component)
    }
  }
  for (const node of index.byId.values()) if (!order.has(node.id)) visit(node)
  return found
}

/** One cycle through a component, starting at its smallest id, following parents (then depends_on). */
function cyclePath(index: GraphIndex, component: RevisionNode[]): RevisionNode[] | undefined {
  const members = new Set(component.map((n) => n.id))
  const start = [...component].sort((a, b) => compareText(a.id, b.id))[0]
  if (!start) return undefined
  // Breadth first from start back to start: the shortest cycle through it.
  const cameFrom = new Map<string, string>()
  const queue = [start.id]
  while (queue.length > 0) {
    const id = queue.shift() as string
    for (const next of prerequisites(index, index.byId.get(id) as RevisionNode)) {
      if (!members.has(next.id)) continue
      if (next.id === start.id) {
        const path = [id]
        while (path[0] !== start.id) path.unshift(cameFrom.get(path[0] as string) as string)
        return path.map((p) => index.byId.get(p) as RevisionNode)
      }
      if (!cameFrom.has(next.id)) {
        cameFrom.set(next.id, id)
        queue.push(next.id)
      }
    }
  }
  return undefined
}

function lineOf(node: ChainNode, which: 'parents' | 'depends'): number {
  return (which === 'parents' ? node.parentsLine : node.dependsOnLine) ?? node.line
}

function fileOf(index: GraphIndex, id: string): string {
  return index.byId.get(id)?.file ?? ''
}

function describe(node: RevisionNode, labels?: Set<string>): string {
  const branch =
    labels && labels.size > 0
      ? `branch ${[...labels].join('/')}, `
      : node.branchLabels.length > 0
        ? `branch ${node.branchLabels.join('/')}, `
        : ''
  return `${node.id} (${branch}${node.file})`
}

function detail(node: RevisionNode, labels?: Set<string>): string {
  const branch =
    labels && labels.size > 0
      ? ` [${[...labels].join(', ')}]`
      : node.branchLabels.length > 0
        ? ` [${node.branchLabels.join(', ')}]`
        : ''
  return `${node.id}  ${node.file}:${node.line}${branch}${node.message ? `  ${node.message}` : ''}`
}
