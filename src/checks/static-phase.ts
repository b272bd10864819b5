// The static phase of runGate: the driver reads the chain without running anything, the chain
// checks judge it, and the tool's own view of the heads is asked for beside the later phases.
import { checkChain } from './chain.js'
import { heads } from './topo.js'
import type { MigrationDriver, RevisionGraph } from '../drivers/driver.js'
import { oneLine } from '../errors.js'
import type { Finding } from '../report.js'
import type { ResourceTracker } from '../resource-tracker.js'

export interface StaticPhaseResult {
  graph: RevisionGraph
  findings: Finding[]
  /**
   * The cross-check: where the tool runs here, its own view of the heads must agree with the static
   * one. Asking it costs a Python start and an import of every revision file (~0.5 s for 2,000), so
   * it starts before the static reading and is not awaited here: it runs beside the static reading,
   * the git phase, the server's start and the replay. A cross-check that cannot run adds a note.
   */
  crossCheck: Promise<Finding[]>
}

export async function runStaticPhase(
  driver: MigrationDriver,
  notes: string[],
  resources: ResourceTracker,
  /** Beside a server and migrations (every mode but static): the cross-check runs at a lower priority. */
  how: { background: boolean },
): Promise<StaticPhaseResult> {
  // Started first: the tool's own load (a Python start, every revision file imported) runs beside
  // the static reading.
  const started = driver.startCrossCheck?.(resources, how)
  // Whatever ends the run early (the static reading throwing), the run's tracker stops the load.
  const graph = await driver.graph()
  notes.push(...(graph.notes ?? []))
  const findings = [...graph.problems, ...checkChain(graph, driver.chainWording ?? { tool: driver.tool })]
  const crossCheck =
    started?.judge(heads(graph), [...findings]).catch((error: unknown) => {
      notes.push(`cross-check with the tool's own view skipped: ${oneLine(error)}`)
      return []
    }) ?? Promise.resolve([])
  return { graph, findings, crossCheck }
}
