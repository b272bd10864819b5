// The chain judged on the merge result. Two PRs that each add a revision on the same parent pass
// alone and leave two heads once both are merged. So: take the chain as the base branch has it now,
// with the PR's revisions on top, and check that. A PR revision whose parent is no longer the base's
// head is `stale-parent`, naming the head to re-parent on; the multiple heads that follow from it are
// not reported again. Problems the base has by itself are not the PR's, and are left out.
import type { RevisionGraph, RevisionNode } from '../drivers/driver.js'
import type { Finding } from '../report.js'
import { afterMerging, staleParent } from '../findings/stale-parent.js'
import { checkChain, genericWording } from './chain.js'
import type { ChainWording } from '../drivers/driver.js'
import { heads, indexGraph, resolve, type GraphIndex } from './topo.js'

export interface MergedChainInput {
  /** The chain with the base's current revisions and the PR's (the PR's version of a file both changed). */
  merged: RevisionGraph
  /** Revision ids the PR adds. */
  prAdded: ReadonlySet<string>
  /** Chain findings already reported for the PR's own tree. */
  reported: Finding[]
  /** How reports name the base ("main"). */
  base: string
  wording?: Partial<ChainWording>
}

export interface MergedChainResult {
  findings: Finding[]
  /** True when stale parents explain every extra head: the multiple-heads finding is then replaced. */
  replacesMultipleHeads: boolean
}

export function checkMergedChain(input: MergedChainInput): MergedChainResult {
  const w: ChainWording = { ...genericWording(input.wording?.tool), ...input.wording }
  const merged = indexGraph(input.merged)
  const baseGraph: RevisionGraph = {
    nodes: input.merged.nodes.filter((n) => !input.prAdded.has(n.id)),
    problems: input.merged.problems,
  }
  const base = indexGraph(baseGraph)
  const baseHeads = heads(base)

  const mergedFindings = checkChain(input.merged, input.wording)
  // One head (per branch) after the merge, e.g. the PR merged the heads itself: nothing is stale.
  const forked = mergedFindings.some((f) => f.id === 'multiple-heads')
  const stale: { node: RevisionNode; parent: RevisionNode; onto: string[] }[] = []
  for (const node of forked ? merged.nodes : []) {
    if (!input.prAdded.has(node.id)) continue
    for (const ref of node.parents) {
      const parent = resolve(merged, ref)
      if (!parent || input.prAdded.has(parent.id) || baseHeads.includes(parent.id)) continue
      if (!base.byId.has(parent.id)) continue
      stale.push({ node, parent, onto: baseHeads.filter((h) => descendsFrom(base, h, parent.id)) })
    }
  }

  // Where each stale revision should build. Several of the PR's revisions stale on one parent (the
  // PR's own second head) go in a line: the first onto the base's head, each next one onto the tip of
  // the previous one's branch. Sending them all onto the base's head would leave two heads again, so
  // stale-parent and multiple-heads would give fixes that contradict each other.
  const targets = new Map<(typeof stale)[number], string>()
  const groups = new Map<string, typeof stale>()
  for (const x of stale) {
    if (x.onto.length !== 1) continue
    const key = `${x.parent.id}\u0000${x.onto[0]}`
    groups.set(key, [...(groups.get(key) ?? []), x])
  }
  const mergedHeads = heads(merged)
  for (const group of groups.values()) {
    const ordered = [...group].sort((a, b) => (a.node.file < b.node.file ? -1 : a.node.file > b.node.file ? 1 : 0))
    let target = ordered[0]?.onto[0] as string
    for (const x of ordered) {
      targets.set(x, target)
      const tips = mergedHeads.filter((h) => descendsFrom(merged, h, x.node.id))
      target = tips.length === 1 ? (tips[0] as string) : x.node.id
    }
  }

  // Re-parented as suggested, does the chain have one head (per branch) again? Then the extra heads
  // are the stale parents' doing and stale-parent is the finding that says how to fix them.
  const fixed: RevisionGraph = {
    nodes: input.merged.nodes.map((n) => {
      const s = stale.filter((x) => x.node === n && targets.has(x))
      if (s.length === 0) return n
      const swap = new Map(s.map((x) => [x.parent.id, targets.get(x) as string]))
      return { ...n, parents: n.parents.map((p) => swap.get(resolve(merged, p)?.id ?? p) ?? p) }
    }),
    problems: input.merged.problems,
  }
  const replacesMultipleHeads =
    stale.length > 0 && !checkChain(fixed, input.wording).some((f) => f.id === 'multiple-heads')

  const key = (f: Finding) => (f.id === 'multiple-heads' ? f.id : `${f.id} ${f.revision ?? ''} ${f.file ?? ''}`)
  const known = new Set([...input.reported, ...checkChain(baseGraph, input.wording)].map(key))
  const mergedOnly = mergedFindings
    .filter((f) => !known.has(key(f)))
    .filter((f) => !(replacesMultipleHeads && f.id === 'multiple-heads'))
    .map((f) => afterMerging(f, input.base))

  const findings: Finding[] = stale.map((entry) => {
    const { node, parent, onto } = entry
    const children = (base.children.get(parent.id) ?? []).filter((c) => !input.prAdded.has(c))
    // As the parent field takes it: '<id>', or Django's ("app", "name").
    const quote = (id: string) => (w.parentValue ? w.parentValue(id) : `'${id}'`)
    const head = onto.map((h) => `'${h}'`).join(' or ')
    const target = targets.get(entry)
    const afterOwn = target !== undefined && target !== onto[0]
    const to =
      target === undefined
        ? onto.map(quote).join(' or ')
        : afterOwn
          ? `${quote(target)} (this PR's other revision, built on ${head}, so the chain stays one line)`
          : quote(target)
    const line = node.parentsLine ?? node.line
    return staleParent(
      {
        revision: node.id,
        parent: parent.id,
        base: input.base,
        followers: children,
        head,
        consequence: w.multipleHeads,
        parentField: w.parentField,
        file: node.file,
        line,
        to,
        // A scoped tool merges per scope (Django: `makemigrations --merge <app>`), so it is told the heads.
        ...(w.merge ? { merge: w.scopeOf ? w.merge([node.id, ...onto]) : w.merge() } : {}),
      },
      {
        revision: node.id,
        file: node.file,
        line,
        details: [`${node.id} (${node.file}:${line}) -> ${parent.id}`, ...onto.map((h) => `${input.base} head: ${h}`)],
      },
    )
  })
  return { findings: [...findings, ...mergedOnly], replacesMultipleHeads }
}

/** Whether `ancestor` is `id` or one of its ancestors (parents only), in the base graph. */
function descendsFrom(index: GraphIndex, id: string, ancestor: string): boolean {
  const seen = new Set<string>()
  const stack = [id]
  while (stack.length > 0) {
    const cur = stack.pop() as string
    if (cur === ancestor) return true
    if (seen.has(cur)) continue
    seen.add(cur)
    for (const ref of index.byId.get(cur)?.parents ?? []) {
      const p = resolve(index, ref)
      if (p) stack.push(p.id)
    }
  }
  return false
}
