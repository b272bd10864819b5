// The cross-check's "Alembic cannot load the revisions" is an error: nothing showed the tool loads
// the chain. A replay that ran steps through the tool shows it does, online, where env.py has its
// database: the finding is then a warning.
import type { Finding, Step } from '../report.js'
import { loadedOnlineAfterAll } from '../findings/tool-disagreement.js'

/**
 * The tool could not load the chain for the cross-check (an error: nothing showed it can), yet the
 * replay ran steps through the tool: it loads online, where env.py has its database. A warning then.
 */
export function loadedOnline(crossCheck: Finding[], steps: Step[]): Finding[] {
  if (!steps.some((s) => s.ok)) return crossCheck
  return crossCheck.map(loadedOnlineAfterAll)
}
