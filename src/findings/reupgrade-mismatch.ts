// reupgrade-mismatch: upgrading again after a downgrade fails, or builds something else than the
// first upgrade did. Environments that rolled back and forward drift apart from fresh ones.
import { build, count, type FindingEntry, type Place, stop } from './entry.js'
import type { Finding } from '../report.js'

export const REUPGRADE_MISMATCH: FindingEntry<'reupgrade-mismatch'> = {
  id: 'reupgrade-mismatch',
  severity: 'error',
  checked: 'replay',
  happened: 'upgrading again after a downgrade fails or builds something else',
  seen: 'environments drift apart',
  revisionScoped: true,
}

const FIX =
  'make the downgrade reset everything the upgrade relies on, and the upgrade build the same schema from the same start.'

/** The stairway: upgrading one revision again, after its own clean downgrade, fails. */
export function reupgradeFails(facts: { what: string; error: string }, place: Place): Finding {
  return build(
    REUPGRADE_MISMATCH,
    {
      message: `Upgrading to ${facts.what} a second time, after a clean downgrade, fails: ${stop(facts.error)} The migration depends on state its downgrade does not reset; a deploy that rolls back and forward again would fail.`,
      fix: FIX,
    },
    place,
  )
}

/** The stairway: upgrading one revision again, after its downgrade, builds another schema. */
export function reupgradeDiffers(facts: { what: string; differences: number }, place: Place): Finding {
  return build(
    REUPGRADE_MISMATCH,
    {
      message: `Upgrading to ${facts.what} again after its downgrade builds a different schema than the first time (${count(facts.differences, 'difference')}). Environments that rolled back and forward will differ from fresh ones.`,
      fix: FIX,
    },
    place,
  )
}

/** The roundtrip: upgrading to a revision again, after the whole downgrade, fails. */
export function reupgradeFailsAfterAll(facts: { revision: string; error: string }, place: Place): Finding {
  return build(
    REUPGRADE_MISMATCH,
    {
      message: `Upgrading to ${facts.revision} again after the downgrade fails: ${stop(facts.error)} Something the downgrades left behind stops the upgrade.`,
      fix: 'run the stairway mode to find which downgrade leaves it.',
    },
    place,
  )
}

/** The roundtrip: head built again after the whole downgrade differs from the first head. */
export function reupgradeDiffersAfterAll(facts: { differences: number }, place: Place): Finding {
  return build(
    REUPGRADE_MISMATCH,
    {
      message: `Upgrading to head again after the downgrade builds a different schema than the first time (${count(facts.differences, 'difference')}).`,
      fix: 'run the stairway mode to find which revision differs.',
    },
    place,
  )
}
