// tool-disagreement: the tool's own view of the chain (its heads, loaded by the tool itself) differs
// from the gate's static reading, or the tool cannot load the chain at all. Chain findings rest on
// the static reading, so where the two disagree the user must know.
import { build, type FindingEntry, type Place } from './entry.js'
import type { Finding } from '../report.js'

export const TOOL_DISAGREEMENT: FindingEntry<'tool-disagreement'> = {
  id: 'tool-disagreement',
  severity: 'error',
  checked: 'chain',
  happened:
    "the tool's own view of the chain differs from the gate's static reading, or the tool cannot load the chain at all (a warning when they only disagree, or when a replay loaded the chain after all)",
  seen: 'every command that loads the chain fails, or chain findings that rest on a misreading',
}

/**
 * How a "cannot load" finding says, in the tool's words, that nothing showed the tool loads the
 * chain online (`unshown`, a clause starting "and"), and what it says instead once a replay did.
 */
export interface LoadedOnlineWording {
  unshown: string
  shown: string
}

/** The tool's process ended or stalled while loading the revisions (`file`: the one it was loading). */
export function toolCouldNotLoad(
  facts: { tool: string; failure: string; headsCommand: string; unshown: string },
  place: Place,
): Finding {
  const { headsCommand } = facts
  return build(
    TOOL_DISAGREEMENT,
    {
      message: `${facts.tool} could not load the revisions: ${facts.failure}, ${facts.unshown}. \`${headsCommand}\` and every command that loads the chain stop the same way.`,
      fix: `run \`${headsCommand}\` to see where; look for os._exit() or sys.exit() at import in the revision files and the modules they import.`,
    },
    place,
  )
}

/**
 * The tool raised an error loading the revisions, outside env.py and (`inside`, as a clause) inside
 * it, while the static reading found nothing that breaks it. An error: a chain the tool cannot load
 * fails every deploy, and nothing showed it can.
 */
export function toolCannotLoad(
  facts: {
    tool: string
    version: string
    error: string
    inside: string
    staticHeads: string
    headsCommand: string
    historyCommand: string
    /** The interpreter the tool ran in, where a missing package would be installed. */
    python: string
    unshown: string
  },
  place: Place,
): Finding {
  const { headsCommand } = facts
  return build(
    TOOL_DISAGREEMENT,
    {
      message:
        `${facts.tool} ${facts.version} cannot load the revisions outside env.py (${facts.error})${facts.inside}, but the static reading found nothing that breaks it (heads: ${facts.staticHeads}). ` +
        `\`${headsCommand}\` and \`${facts.historyCommand}\` fail this way, ${facts.unshown}.`,
      fix: `run \`${headsCommand}\` to see the error; if it is a package missing from ${facts.python}, install the project's dependencies there; if env.py loads only with a database, run a replay mode.`,
    },
    place,
  )
}

/** The tool loaded the chain and sees other heads than the static reading (a warning). */
export function toolSeesOtherHeads(
  facts: { tool: string; version: string; toolHeads: string; staticHeads: string; note: string; headsCommand: string },
  place: Place,
): Finding {
  return build(
    TOOL_DISAGREEMENT,
    {
      message:
        `${facts.tool} ${facts.version} sees heads ${facts.toolHeads}; the static reading sees ${facts.staticHeads}.${facts.note} ` +
        `Chain findings rest on the static reading, so they may be wrong here.`,
      fix: `trust \`${facts.headsCommand}\`, and report the revision files that differ to migration-gate.`,
    },
    place,
    'warning',
  )
}

/**
 * A "cannot load" finding once a replay ran steps through the tool: the tool loads the chain
 * online, where its environment has its database. Then it is a warning, and says so in the
 * driver's words.
 */
export function loadedOnlineAfterAll(f: Finding, wording: LoadedOnlineWording | undefined): Finding {
  if (f.id !== 'tool-disagreement' || f.severity !== 'error') return f
  return { ...f, severity: 'warning', message: wording ? f.message.replace(wording.unshown, wording.shown) : f.message }
}
