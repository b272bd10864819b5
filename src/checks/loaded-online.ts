// The cross-check's "Alembic cannot load the revisions" is an error: nothing showed the tool loads
// the chain. A replay that ran steps through the tool shows it does, online, where env.py has its
// database: the finding is then a warning.
import type { Finding, Step } from '../report.js'

/**
 * The tool could not load the chain for the cross-check (an error: nothing showed it can), yet the
 * replay ran steps through the tool: it loads online, where env.py has its database. A warning then.
 */
export function loadedOnline(crossCheck: Finding[], steps: Step[]): Finding[] {
  if (!steps.some((s) => s.ok)) return crossCheck
  return crossCheck.map((f) =>
    f.id === 'tool-disagreement' && f.severity === 'error'
      ? {
          ...f,
          severity: 'warning',
          message: f.message.replace(
            'and no replay showed that commands running env.py online load it',
            'while the replay, running env.py online, loaded it',
          ),
        }
      : f,
  )
}
