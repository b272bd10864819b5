// The migration chain as a Mermaid flowchart (GitHub renders ```mermaid blocks), base at the top,
// heads and revisions with findings marked. A long chain is cut to the neighbourhood of the findings
// and the heads: a 500-node diagram is unreadable and GitHub stops rendering big ones. When the PR
// is behind its base (stale-parent, multiple-heads), the base's head is drawn too, labelled "main
// head", with the way to it: what the PR's revisions should build on.
import type { GateReport, GraphNode, Severity } from '../report.js'
import { clip, mermaidText } from './escape.js'

export interface ChainDiagram {
  /** The fenced ```mermaid block. */
  text: string
  /** Revisions drawn, of `total`. */
  shown: number
  total: number
  /** The base's heads drawn (marked "main head"); empty when the diagram does not show them. */
  baseHeads: string[]
}

export interface DiagramOptions {
  /** At most this many revisions are drawn. */
  maxNodes?: number
  /** Around each finding and head, revisions up to this many edges away. */
  radius?: number
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, notice: 2 }
/** Marks in the label too, for readers who cannot tell the colours apart. */
const SYMBOL: Record<Severity, string> = { error: '✖', warning: '⚠', notice: 'ℹ' }

/** Findings that mean the PR does not build on the base's head: the diagram then shows that head. */
const BEHIND_BASE = new Set(['stale-parent', 'multiple-heads'])

export function chainDiagram(report: GateReport, options: DiagramOptions = {}): ChainDiagram | undefined {
  const tree = report.graph?.nodes ?? []
  if (tree.length === 0) return undefined
  const maxNodes = options.maxNodes ?? 40
  const radius = options.radius ?? 3

  // The base's revisions the tree lacks are drawn after the tree's own (indexes from tree.length on).
  const base = baseOf(report, tree)
  const nodes = [...tree, ...(base?.extra ?? [])]
  const onBaseOnly = (i: number) => i >= tree.length
  const baseHeads = base?.heads ?? new Set<string>()

  // Duplicate revision ids are a finding of their own: nodes are keyed by index, ids map to all.
  const byId = new Map<string, number[]>()
  nodes.forEach((n, i) => byId.set(n.id, [...(byId.get(n.id) ?? []), i]))
  const children = nodes.map(() => [] as number[])
  nodes.forEach((n, i) => n.parents.forEach((p) => byId.get(p)?.forEach((j) => children[j]?.push(i))))

  const worst = new Map<string, Severity>()
  const marks = new Map<string, Set<string>>()
  for (const f of report.findings) {
    if (!f.revision) continue
    const w = worst.get(f.revision)
    if (!w || RANK[f.severity] < RANK[w]) worst.set(f.revision, f.severity)
    marks.set(f.revision, (marks.get(f.revision) ?? new Set()).add(`${SYMBOL[f.severity]} ${f.id}`))
  }
  const heads = new Set(report.chain?.heads ?? [])
  // The revisions the change under review adds or edits (known when the git checks ran).
  const mine = new Set(report.git?.prRevisions ?? [])

  const shown = pickNodes(nodes, byId, children, worst, baseHeads, new Set([...heads, ...mine]), maxNodes, radius)
  const lines = ['```mermaid', 'flowchart TD']
  for (const i of shown) {
    const n = nodes[i] as GraphNode
    const own = [
      ...(heads.has(n.id) ? ['head'] : []),
      ...(mine.has(n.id) ? ['this change'] : []),
      ...(baseHeads.has(n.id) ? [`${base?.name} head`] : []),
      ...(onBaseOnly(i) ? [`only on ${base?.name}`] : []),
    ]
    lines.push(`  r${i}["${label(n, own, marks.get(n.id))}"]`)
  }
  let gaps = 0
  const missing = new Map<string, string>()
  for (const i of shown) {
    const n = nodes[i] as GraphNode
    let elided = false
    for (const p of n.parents) {
      const known = byId.get(p)
      if (!known && onBaseOnly(i)) {
        // Beyond the base revisions the report carries: left out, not missing.
        elided = true
      } else if (!known) {
        // A parent no file declares (missing-parent): drawn, so the break in the chain shows.
        let m = missing.get(p)
        if (!m) {
          m = `m${missing.size}`
          missing.set(p, m)
          lines.push(`  ${m}["${mermaidText(clip(p, 40))}<br>missing"]:::missing`)
        }
        lines.push(`  ${m} -.-> r${i}`)
      } else {
        for (const j of known) {
          if (shown.has(j)) lines.push(`  r${j} --> r${i}`)
          else elided = true
        }
      }
    }
    // Revisions left out show as one "…" above or below (an entity: the diagram source stays ASCII),
    // so a cut chain does not look whole.
    if (elided) lines.push(`  g${gaps++}["#8230;"]:::gap -.-> r${i}`)
    if ((children[i] ?? []).some((c) => !shown.has(c))) lines.push(`  r${i} -.-> g${gaps++}["#8230;"]:::gap`)
  }
  // One class statement per class: in `class a,b name` the comma separates nodes, not classes.
  for (const i of shown) {
    const n = nodes[i] as GraphNode
    const severity = worst.get(n.id)
    if (severity) lines.push(`  class r${i} ${severity}`)
    if (heads.has(n.id)) lines.push(`  class r${i} head`)
    if (mine.has(n.id)) lines.push(`  class r${i} mine`)
    if (onBaseOnly(i)) lines.push(`  class r${i} baseonly`)
    if (baseHeads.has(n.id)) lines.push(`  class r${i} basehead`)
  }
  lines.push(
    '  classDef error fill:#ffebe9,stroke:#cf222e,color:#82071e',
    '  classDef warning fill:#fff8c5,stroke:#9a6700,color:#4d2d00',
    '  classDef notice fill:#ddf4ff,stroke:#0969da,color:#0a3069',
    '  classDef head stroke-width:3px',
    '  classDef mine stroke-dasharray:6 3',
    '  classDef missing fill:#ffffff,stroke:#cf222e,stroke-dasharray:4 3',
    '  classDef gap fill:#ffffff,stroke:#8c959f,stroke-dasharray:2 2',
    '  classDef baseonly fill:#f6f8fa',
    '  classDef basehead stroke:#1a7f37,stroke-width:3px',
    '```',
  )
  const drawnBaseHeads = [...new Set([...shown].map((i) => nodes[i]!.id).filter((id) => baseHeads.has(id)))]
  return { text: lines.join('\n'), shown: shown.size, total: nodes.length, baseHeads: drawnBaseHeads }
}

interface BaseView {
  /** How reports name the base ("main"), clipped for a label. */
  name: string
  heads: Set<string>
  /** Base revisions the tree lacks, to draw after the tree's own. */
  extra: GraphNode[]
}

/**
 * The base's heads and the base revisions the tree lacks, when the git checks ran and found the PR
 * behind its base. A head the report has no revision for is still drawn, on its own.
 */
function baseOf(report: GateReport, tree: GraphNode[]): BaseView | undefined {
  const git = report.git
  if (!git?.baseHeads?.length || !report.findings.some((f) => BEHIND_BASE.has(f.id))) return undefined
  const inTree = new Set(tree.map((n) => n.id))
  const extra = (git.baseRevisions ?? []).filter((n) => !inTree.has(n.id))
  const known = new Set([...inTree, ...extra.map((n) => n.id)])
  for (const id of git.baseHeads) if (!known.has(id)) extra.push({ id, parents: [] })
  return { name: clip(git.base, 30), heads: new Set(git.baseHeads), extra }
}

/**
 * Which revisions to draw: all of a short chain; else errors first, then the base's heads, the other
 * findings, `marked` (heads, the change's), then neighbours.
 */
function pickNodes(
  nodes: GraphNode[],
  byId: Map<string, number[]>,
  children: number[][],
  worst: Map<string, Severity>,
  baseHeads: Set<string>,
  marked: Set<string>,
  maxNodes: number,
  radius: number,
): Set<number> {
  if (nodes.length <= maxNodes) return new Set(nodes.keys())
  const focus = [...nodes.keys()]
    .filter((i) => worst.has(nodes[i]!.id) || baseHeads.has(nodes[i]!.id) || marked.has(nodes[i]!.id))
    .sort((a, b) => rank(nodes[a]!.id) - rank(nodes[b]!.id) || a - b)
  function rank(id: string): number {
    const w = worst.get(id)
    if (w === 'error') return 0
    if (baseHeads.has(id)) return 1
    return w ? RANK[w] + 1 : 4
  }
  const shown = new Set<number>(focus.slice(0, maxNodes))
  // Widen ring by ring, so every focus gets its nearest neighbours before anyone gets far ones.
  let ring = [...shown]
  for (let d = 0; d < radius && shown.size < maxNodes; d++) {
    const next: number[] = []
    for (const i of ring) {
      const n = nodes[i] as GraphNode
      const around = [...n.parents.flatMap((p) => byId.get(p) ?? []), ...(children[i] ?? [])]
      for (const j of around) {
        if (shown.size >= maxNodes) break
        if (shown.has(j)) continue
        shown.add(j)
        next.push(j)
      }
    }
    ring = next
  }
  return new Set([...shown].sort((a, b) => a - b))
}

/** Revision id, message, marks: user text escaped, joined by our own <br>. */
function label(n: GraphNode, own: string[], findings: Set<string> | undefined): string {
  const parts = [mermaidText(clip(n.id, 40))]
  if (n.message) parts.push(mermaidText(clip(n.message, 40)))
  const marks = [...own, ...(findings ?? [])]
  if (marks.length) parts.push(mermaidText(marks.join(' · ')))
  return parts.join('<br>')
}
