// The report model. Renderers read only this; checks produce Finding[]; gate.ts assembles a GateReport.

export type Severity = 'error' | 'warning' | 'notice'

/** Stable, kebab-case finding IDs (users filter and suppress by them). See shared/DESIGN.md. */
export type FindingId =
  // chain
  | 'multiple-heads'
  | 'multiple-bases'
  | 'missing-parent'
  | 'duplicate-revision'
  | 'revision-cycle'
  | 'unparseable-migration'
  | 'stale-parent'
  // replay
  | 'upgrade-failed'
  | 'downgrade-failed'
  | 'downgrade-residue'
  | 'reupgrade-mismatch'
  | 'irreversible-migration'
  | 'step-timeout'
  // drift
  | 'models-changed-without-migration'
  | 'model-drift'
  | 'migration-edited'
  // cross-check between the static parser and the tool's own view
  | 'tool-disagreement'

export interface Finding {
  id: FindingId
  severity: Severity
  /** States the consequence and the fix. */
  message: string
  revision?: string
  /** Relative to the repository (or project) root, POSIX separators. */
  file?: string
  line?: number
  /** Extra lines: leftover objects, database error text, and so on. */
  details?: string[]
}

export interface Step {
  revision: string
  direction: 'upgrade' | 'downgrade'
  /** 'first' upgrade, the checking 'down', or the 're' upgrade. */
  phase?: 'first' | 'down' | 're'
  ms: number
  ok: boolean
  error?: string
}

export interface PostgresInfo {
  provider: string
  serverVersion: string
  startMs: number
}

export interface ChainInfo {
  revisions: number
  heads: string[]
  bases: string[]
}

export type Phase = 'static' | 'postgres' | 'replay' | 'drift'

/** One revision as the static read found it: what a renderer needs to draw the chain (Mermaid). */
export interface GraphNode {
  id: string
  parents: string[]
  /** Relative to the project dir, POSIX separators. */
  file?: string
  line?: number
  message?: string
}

export interface GateReport {
  version: 1
  result: 'pass' | 'fail'
  tool: string
  mode: 'static' | 'roundtrip' | 'stairway'
  projectDir: string
  postgres?: PostgresInfo
  chain?: ChainInfo
  /** The revision graph (edges child -> parents), for the job summary's chain diagram. */
  graph?: { nodes: GraphNode[] }
  steps: Step[]
  findings: Finding[]
  /** Things the reader should know that are not findings ("replay skipped: fix the chain first"). */
  notes: string[]
  timings: { totalMs: number; phases: Partial<Record<Phase, number>> }
}

/** The verdict: any finding of severity error fails the gate. */
export function resultOf(findings: Finding[]): 'pass' | 'fail' {
  return findings.some((f) => f.severity === 'error') ? 'fail' : 'pass'
}
