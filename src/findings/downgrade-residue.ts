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
    'a downgrade leaves an enum type, an index, a column behind (the finding names the statement it lacks: `DROP TYPE pdf_status`); a warning when all it left is constraints renamed (Django recreates the foreign keys to a key whose type it alters under new names)',
  seen: 'the next upgrade fails: `type "..." already exists`',
  revisionScoped: true,
  atDowngrade: true,
}

/**
 * One revision's downgrade left differences. `statements` remove what it left (added objects) and
 * rename back the constraints it left under other names; `restored` counts the other differences,
 * which only a hand-written statement restores. `renamesOnly`: every difference is a constraint that
 * stands as it was under another name (Django recreates the foreign keys to a key whose type it
 * alters under new names): a warning, since only a statement naming a constraint can fail on that,
 * and the replay's next steps, which ran on it, would have shown one in the chain.
 */
export function downgradeResidue(
  facts: { what: string; differences: number; statements: string[]; restored: number; renamesOnly?: boolean },
  place: Place,
): Finding {
  const { statements, restored } = facts
  if (facts.renamesOnly) {
    return build(
      DOWNGRADE_RESIDUE,
      {
        message: `Downgrading ${facts.what} restores the schema it started from but for names: it differs only in the names of ${count(facts.differences, 'constraint')}, each the same constraint under another name. Only a statement that names one (DROP CONSTRAINT with its old name, in a later migration or a script) fails on it.`,
        fix: `if anything names these constraints, make the downgrade rename them back: ${statements.map((s) => `\`${s}\``).join(', ')}.`,
      },
      place,
      'warning',
    )
  }
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
