// The migration chain as a Mermaid flowchart (GitHub renders ```mermaid blocks), base at the top,
// heads and revisions with findings marked. A long chain is cut to the neighbourhood of the findings
// and the heads: a 500-node diagram is unreadable and GitHub stops rendering big ones.
import type { GateReport, GraphNode, Severity } from '../report.js'
import { clip, mermaidText } from './escape.js'

export interface ChainDiagram {
  /** The fenced ```mermaid block. */
  text: string
  /** Revisions drawn, of `total`. */
  shown: number
  total: number
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

export function chainDiagram(report: GateReport, options: DiagramOptions = {}): ChainDiagram | undefined {
  const nodes = report.graph?.nodes ?? []
  if (nodes.length === 0) return undefined
  const maxNodes = options.maxNodes ?? 40
  const radius = options.radius ?? 3

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

  const shown = pickNodes(nodes, byId, children, worst, new Set([...heads, ...mine]), maxNodes, radius)
  const lines = ['```mermaid', 'flowchart TD']
  for (const i of shown) {
    const n = nodes[i] as GraphNode
    lines.push(`  r${i}["${label(n, heads.has(n.id), mine.has(n.id), marks.get(n.id))}"]`)
  }
  let gaps = 0
  const missing = new Map<string, string>()
  for (const i of shown) {
    const n = nodes[i] as GraphNode
    let elided = false
    for (const p of n.parents) {
      const known = byId.get(p)
      if (!known) {
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
  }
  lines.push(
    '  classDef error fill:#ffebe9,stroke:#cf222e,color:#82071e',
    '  classDef warning fill:#fff8c5,stroke:#9a6700,color:#4d2d00',
    '  classDef notice fill:#ddf4ff,stroke:#0969da,color:#0a3069',
    '  classDef head stroke-width:3px',
    '  classDef mine stroke-dasharray:6 3',
    '  classDef missing fill:#ffffff,stroke:#cf222e,stroke-dasharray:4 3',
    '  classDef gap fill:#ffffff,stroke:#8c959f,stroke-dasharray:2 2',
    '```',
  )
  return { text: lines.join('\n'), shown: shown.size, total: nodes.length }
}

/** Which revisions to draw: all of a short chain; else findings first, then `marked` (heads, the change's), then neighbours. */
function pickNodes(
  nodes: GraphNode[],
  byId: Map<string, number[]>,
  children: number[][],
  worst: Map<string, Severity>,
  marked: Set<string>,
  maxNodes: number,
  radius: number,
): Set<number> {
  if (nodes.length <= maxNodes) return new Set(nodes.keys())
  const focus = [...nodes.keys()]
    .filter((i) => worst.has(nodes[i]!.id) || marked.has(nodes[i]!.id))
    .sort((a, b) => rank(nodes[a]!.id) - rank(nodes[b]!.id) || a - b)
  function rank(id: string): number {
    const w = worst.get(id)
    return w ? RANK[w] : 3
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
function label(n: GraphNode, head: boolean, mine: boolean, findings: Set<string> | undefined): string {
  const parts = [mermaidText(clip(n.id, 40))]
  if (n.message) parts.push(mermaidText(clip(n.message, 40)))
  const marks = [...(head ? ['head'] : []), ...(mine ? ['this change'] : []), ...(findings ?? [])]
  if (marks.length) parts.push(mermaidText(marks.join(' · ')))
  return parts.join('<br>')
}
