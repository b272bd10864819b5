// step-timeout: a step ran past step-timeout and was stopped (a lock, a long data update, a sleep),
// or the tool's environment never finished loading. A migration that hangs here hangs a deploy.
import { build, type FindingEntry, type Place } from './entry.js'
import type { Finding } from '../report.js'

export const STEP_TIMEOUT: FindingEntry<'step-timeout'> = {
  id: 'step-timeout',
  severity: 'error',
  checked: 'replay',
  happened: 'a step hangs (a lock, a long update), or env.py never finishes loading',
  seen: 'a deploy that never ends',
  revisionScoped: true,
}

/** An upgrade or downgrade still running at the step timeout. */
export function stepTimeout(facts: { direction: 'upgrade' | 'downgrade'; what: string }, place: Place): Finding {
  return build(
    STEP_TIMEOUT,
    {
      message: `The ${facts.direction} of ${facts.what} was still running after the step timeout and was stopped. A migration that hangs here hangs a deploy.`,
      fix: 'look for locks, long data updates or sleeps, or raise step-timeout if it is legitimately slow.',
    },
    place,
  )
}

/**
 * The tool's environment hung while loading, before any step (`why`: what the driver saw;
 * `loading`: what was loading, in the tool's words, such as "env.py (or a module it imports)").
 */
export function loadTimeout(facts: { why: string; loading: string }, place: Place): Finding {
  return build(
    STEP_TIMEOUT,
    {
      message: `Loading the migration environment hung: ${facts.why}. A deploy would hang the same way before its first migration runs.`,
      fix: `look for a sleep, a lock or a connection that never answers while ${facts.loading} loads, or raise step-timeout if loading is legitimately slow.`,
    },
    place,
  )
}
