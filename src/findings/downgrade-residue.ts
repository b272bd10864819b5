// downgrade-residue: a downgrade does not restore the schema its upgrade started from (an enum
// type, an index, a column left behind). A rollback leaves a state no revision describes, and the
// next upgrade often fails on it ("type ... already exists").
import { build, count, type FindingEntry, type Place } from './entry.js'
import type { Finding } from '../report.js'

export const DOWNGRADE_RESIDUE: FindingEntry<'downgrade-residue'> = {
  id: 'downgrade-residue',
  severity: 'error',
  checked: 'replay',
  happened:
    'a downgrade leaves an enum type, an index, a column behind (the finding names the statement it lacks: `DROP TYPE pdf_status`)',
  seen: 'the next upgrade fails: `type "..." already exists`',
  revisionScoped: true,
  atDowngrade: true,
}

/**
 * One revision's downgrade left differences. `statements` remove what it left (added objects);
 * `restored` counts the other differences, which only a hand-written statement restores.
 */
export function downgradeResidue(
  facts: { what: string; differences: number; statements: string[]; restored: number },
  place: Place,
): Finding {
  const { statements, restored } = facts
  const rest =
    restored > 0 ? `, and the other ${restored === 1 ? 'difference' : `${restored} differences`} below restored` : ''
  return build(
    DOWNGRADE_RESIDUE,
    {
      message: `Downgrading ${facts.what} does not restore the schema it started from (${count(facts.differences, 'difference')}). A rollback leaves the database in a state no revision describes, and the next upgrade may fail.`,
      fix:
        statements.length > 0
          ? `make the downgrade undo everything the upgrade does; it still needs ${statements.map((s) => `\`${s}\``).join(', ')}${rest}.`
          : 'make the downgrade undo everything the upgrade does.',
    },
    place,
  )
}

/** The roundtrip's whole downgrade back to base left differences (no one revision to blame). */
export function downgradeResidueAtBase(facts: { differences: number; statements: string[] }, place: Place): Finding {
  const { statements } = facts
  return build(
    DOWNGRADE_RESIDUE,
    {
      message: `Downgrading every revision back to base does not restore the empty start (${count(facts.differences, 'difference')})${statements.length > 0 ? `: removing it takes ${statements.map((s) => `\`${s}\``).join(', ')}` : ''}.`,
      fix: 'run the stairway mode to find which revision leaves it.',
    },
    place,
  )
}
