// The cross-check's "the tool cannot load the revisions" is an error: nothing showed the tool loads
// the chain. A replay that ran steps through the tool shows it does, online, where the tool's
// environment has its database: the finding is then a warning, reworded by the driver's own words.
import type { MigrationDriver } from '../drivers/driver.js'
import type { Finding, Step } from '../report.js'
import { loadedOnlineAfterAll } from '../findings/tool-disagreement.js'

/**
 * The tool could not load the chain for the cross-check (an error: nothing showed it can), yet the
 * replay ran steps through the tool: it loads online. A warning then, its message reworded with
 * the driver's `loadedOnlineWording`.
 */
export function loadedOnline(
  crossCheck: Finding[],
  steps: Step[],
  wording: MigrationDriver['loadedOnlineWording'],
): Finding[] {
  if (!steps.some((s) => s.ok)) return crossCheck
  return crossCheck.map((f) => loadedOnlineAfterAll(f, wording))
}
