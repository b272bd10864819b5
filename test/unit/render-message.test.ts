// The short part a table row shows and the fix folded under it, over the findings the checks really
// build (through the catalogue, src/findings/): each gives its consequence as the message and its
// fix apart, so the fix is never left in view nor lost. And shortening what is still too long.
import { describe, expect, it } from 'vitest'
import { checkMigrationEdits, checkModelChanges, type ChangeRules } from '../../src/checks/changes.js'
import { checkChain } from '../../src/checks/chain.js'
import { driftFindings } from '../../src/checks/drift.js'
import { irreversible, ReplayLog, stepFailure, type ReplayContext } from '../../src/checks/replay-context.js'
import { checkMergedChain } from '../../src/checks/merged-chain.js'
import { alembicWording } from '../../src/drivers/alembic/wording.js'
import type { RevisionGraph, RevisionNode } from '../../src/drivers/driver.js'
import { staleVersions } from '../../src/drivers/sql/out-of-order.js'
import type { Finding } from '../../src/report.js'
import { messageParts, shorten } from '../../src/render/message.js'
import { unparseableMigration } from '../../src/findings/unparseable-migration.js'
import { asPreExisting } from '../../src/findings/transform.js'
import { afterMerging } from '../../src/findings/stale-parent.js'
import { downgradeResidue, downgradeResidueAtBase } from '../../src/findings/downgrade-residue.js'
import { reupgradeDiffers } from '../../src/findings/reupgrade-mismatch.js'

/** 'id <- parent ...' as a node in versions/<id>.py, down_revision on line 14. */
function node(spec: string, message?: string): RevisionNode {
  const [id = '', parents = ''] = spec.split('<-').map((s) => s.trim())
  return {
    id,
    parents: parents ? parents.split(/\s+/) : [],
    dependsOn: [],
    branchLabels: [],
    file: `versions/${id}.py`,
    line: 13,
    parentsLine: 14,
    ...(message ? { message } : {}),
  }
}
const graph = (...nodes: RevisionNode[]): RevisionGraph => ({ nodes, problems: [] })
const only = (findings: Finding[], id: string): Finding => {
  const found = findings.filter((f) => f.id === id)
  expect(found).toHaveLength(1)
  return found[0]!
}

/** Nothing is lost: the parts a renderer shows hold every word of the finding's message and fix. */
function expectLossless(f: Finding, parts: { short: string; fix?: string }): void {
  expect(`${parts.short} ${parts.fix ?? ''}`.trim()).toBe(`${f.message.trim()} ${f.fix?.trim() ?? ''}`.trim())
  expect(parts.short).not.toMatch(/(^|\s)Fix:/)
}

const ctx = {
  irreversible: { allow: new Map([['a11', 'data migration, restored from backups']]), severity: 'warning' },
}
const replayFinding = (make: (l: ReplayLog) => void): Finding => {
  const l = new ReplayLog(graph(node('5b0c1d2e3f40 <- 13ef259690e1', 'add nickname to users'), node('a11')))
  make(l)
  return l.findings[0]!
}
const failure = (direction: 'upgrade' | 'downgrade', message: string, kind?: 'timeout') =>
  replayFinding((l) =>
    stepFailure(
      l,
      '5b0c1d2e3f40',
      direction,
      { ok: false, ms: 5, error: { message, ...(kind ? { kind } : {}) } },
      ctx as unknown as ReplayContext,
    ),
  )

describe('each check gives its consequence and its fix apart', () => {
  it('stale-parent (Alembic): the consequence in view, the re-parenting and the merge queue advice in the fix', () => {
    const f = only(
      checkMergedChain({
        merged: graph(node('a'), node('b <- a'), node('x <- b'), node('y <- b')),
        prAdded: new Set(['y']),
        reported: [],
        base: 'main',
        wording: alembicWording,
      }).findings,
      'stale-parent',
    )
    const parts = messageParts(f)
    expect(parts.short).toBe(
      "Revision y builds on b, but main has moved on: b is followed there by x, and main's head is now 'x'. " +
        'Merged as it is, the chain gets a second head: `alembic upgrade head` fails with "Multiple head revisions are present for given argument \'head\'", so the deploy stops.',
    )
    expect(parts.fix).toMatch(
      /^Update the branch from main and set down_revision in versions\/y\.py \(line 14\) to 'x'/,
    )
    expect(parts.fix).toContain('merge_group')
    expectLossless(f, parts)
  })

  it('stale-parent (golang-migrate): the rename is the fix', () => {
    const [f] = staleVersions(
      'golang-migrate',
      ['20240201120000', '20240215000000'],
      [{ version: '20240210000000', file: 'migrations/20240210000000_add_muted.up.sql' }],
    )
    const parts = messageParts(f!)
    expect(parts.short).toBe(
      'migrations/20240210000000_add_muted.up.sql adds version 20240210000000, which sorts before 20240215000000, the latest version on the base branch: ' +
        'golang-migrate only runs versions after the current one, so every database already at 20240215000000 skips it for good.',
    )
    expect(parts.fix).toBe('Rename its .up.sql and .down.sql to a version after 20240215000000.')
  })

  it('multiple-heads, missing-parent, duplicate-revision, revision-cycle: the fix starts with a capital', () => {
    const cases: [Finding, RegExp][] = [
      [
        only(checkChain(graph(node('a'), node('b <- a'), node('c <- a')), alembicWording), 'multiple-heads'),
        /^Run `alembic merge heads -m "merge heads"` and commit the merge revision, or /,
      ],
      [
        only(checkChain(graph(node('a'), node('b <- gone')), alembicWording), 'missing-parent'),
        /^Point down_revision at an existing revision \(the current head is a\), or restore the file/,
      ],
      [
        only(checkChain(graph(node('a'), node('a <- a0'), node('a0')), alembicWording), 'duplicate-revision'),
        /^In the newer of the files, set a fresh id/,
      ],
      [
        only(checkChain(graph(node('a <- b'), node('b <- a')), alembicWording), 'revision-cycle'),
        /^One of them must name an earlier revision/,
      ],
    ]
    for (const [f, fix] of cases) {
      const parts = messageParts(f)
      expect(parts.fix, f.id).toMatch(fix)
      expect(parts.short, f.id).not.toContain('Fix:')
      expect(parts.short, f.id).toMatch(/\.$/)
      expectLossless(f, parts)
    }
  })

  it('the git rules: migration-edited, models-changed-without-migration (a fix of several sentences)', async () => {
    const rules: ChangeRules = {
      changed: [
        { path: 'alembic/versions/8dca1cf9ca88_create_pdfs.py', status: 'M' },
        { path: 'models.py', status: 'M' },
      ],
      isModel: (p) => p === 'models.py',
      isMigration: (p) => p.startsWith('alembic/versions/'),
      shown: (p) => p,
      lines: new Map(),
      revisions: new Map([['alembic/versions/8dca1cf9ca88_create_pdfs.py', '8dca1cf9ca88']]),
      base: 'main',
    }
    const edited = messageParts(checkMigrationEdits(rules, 'error')[0]!)
    expect(edited.short).toBe(
      '`alembic/versions/8dca1cf9ca88_create_pdfs.py` (revision 8dca1cf9ca88) exists on main and this PR modifies it. ' +
        'It may already be applied somewhere (staging, production, other developers): those databases never run the edited version, so their schema and a fresh database built from the migrations fork.',
    )
    expect(edited.fix).toBe('Restore the file as main has it and put the change in a new migration.')

    const { findings } = await checkModelChanges({
      ...rules,
      changed: [{ path: 'models.py', status: 'M' }],
      newMigrationCommand: 'alembic revision --autogenerate -m "..."',
      label: 'no-migration',
      exemption: async () => ({}),
    })
    const models = messageParts(findings[0]!)
    expect(models.short).toMatch(
      /^`models\.py` changed, a model file, but this PR adds no migration: .*"column \.\.\. does not exist"\)\.$/,
    )
    expect(models.fix).toMatch(
      /^Run `alembic revision --autogenerate -m "\.\.\."`, review the file it writes, and commit it\. If /,
    )
  })

  it("an unparseable file's fix, and messages prefixed by the scope and the merge check", () => {
    const sql = unparseableMigration(
      {
        file: 'db/migrations/create_index.sql',
        problem:
          'cannot be used as a migration: its name does not start with a version, so dbmate skips it without a word and it never runs',
        fix: 'rename it VERSION_NAME.sql (`dbmate new` uses a UTC timestamp, e.g. 20240131120000_create_index.sql)',
      },
      { file: 'db/migrations/create_index.sql', line: 1 },
    )
    expect(messageParts(sql)).toEqual({
      short:
        'db/migrations/create_index.sql cannot be used as a migration: its name does not start with a version, so dbmate skips it without a word and it never runs.',
      fix: 'Rename it VERSION_NAME.sql (`dbmate new` uses a UTC timestamp, e.g. 20240131120000_create_index.sql)',
    })
    const heads = only(checkChain(graph(node('a'), node('b <- a'), node('c <- a')), alembicWording), 'multiple-heads')
    const merged = afterMerging(heads, 'main')
    expect(messageParts(merged).short).toMatch(/^After merging with main as it is now: 2 head revisions: /)
    expect(messageParts(merged).fix).toBe(heads.fix)
    const old = asPreExisting(sql, 'notice')
    expect(messageParts(old).short).toMatch(/^pre-existing: db\/migrations\/create_index\.sql cannot/)
    expect(old.fix).toBe(sql.fix)
  })
})

describe('the replay findings: consequence, then fix', () => {
  it('upgrade-failed and downgrade-failed: the fix apart from the error', () => {
    const up = failure('upgrade', 'ZeroDivisionError: division by zero')
    expect(messageParts(up)).toEqual({
      short:
        'Upgrading to 5b0c1d2e3f40 ("add nickname to users") fails: ZeroDivisionError: division by zero. A deploy running this migration would stop here.',
      fix: 'Fix the upgrade.',
    })
    const down = failure('downgrade', 'UndefinedObject: constraint "fk" does not exist')
    expect(messageParts(down).fix).toBe('Fix the downgrade so it undoes the upgrade.')
    expect(messageParts(down).short).toMatch(/A rollback would stop here\.$/)
  })

  it('an instruction in the database error stays in the message: it is not the fix', () => {
    const up = failure('upgrade', 'syntax error; fix the quoting. Write it again')
    expect(messageParts(up)).toEqual({
      short:
        'Upgrading to 5b0c1d2e3f40 ("add nickname to users") fails: syntax error; fix the quoting. Write it again. A deploy running this migration would stop here.',
      fix: 'Fix the upgrade.',
    })
  })

  it('a revision message that says "Fix:" is not the fix (it is quoted)', () => {
    const l = new ReplayLog(graph(node('a1 <- a0', 'Fix: wrong column type')))
    stepFailure(l, 'a1', 'upgrade', { ok: false, ms: 1, error: { message: 'boom' } }, ctx as unknown as ReplayContext)
    expect(messageParts(l.findings[0]!)).toEqual({
      short: 'Upgrading to a1 ("Fix: wrong column type") fails: boom. A deploy running this migration would stop here.',
      fix: 'Fix the upgrade.',
    })
  })

  it('irreversible-migration: the fix apart; accepted by the allow-list, nothing to fix', () => {
    const f = replayFinding((l) =>
      irreversible(l, '5b0c1d2e3f40', ctx as unknown as ReplayContext, 'its downgrade runs no statement'),
    )
    expect(messageParts(f)).toEqual({
      short:
        '5b0c1d2e3f40 ("add nickname to users") cannot be downgraded: its downgrade runs no statement. A rollback past it is impossible.',
      fix: 'Write a downgrade, or allow-list the revision with a reason.',
    })
    const accepted = replayFinding((l) => irreversible(l, 'a11', ctx as unknown as ReplayContext, 'no down file'))
    expect(accepted.severity).toBe('notice')
    expect(messageParts(accepted)).toEqual({ short: accepted.message })
  })

  it('model-drift: the autogenerate command in the fix', () => {
    const [drift] = driftFindings(
      [
        {
          message: 'models declare pdfs.processing_started_at (TIMESTAMP); no migration creates it',
          direction: 'missing',
        },
      ],
      {
        autogenerate: 'alembic revision --autogenerate -m "..."',
        compared: 'the models env.py compares',
        nothingToCompare: 'env.py gives Alembic no target_metadata to compare',
        comparisonInputs: "the models' imports",
      },
    )
    expect(messageParts(drift!)).toEqual({
      short:
        'models declare pdfs.processing_started_at (TIMESTAMP); no migration creates it. Code that uses the models fails against a database built by the migrations.',
      fix: 'Write the migration (`alembic revision --autogenerate -m "..."`, then review it), or change the model to match.',
    })
  })

  it('downgrade-residue and the round trip: the statements it lacks in the fix', () => {
    const residue = downgradeResidue(
      { what: '32c3ebc38184 ("create feedback")', differences: 1, statements: ['DROP TYPE mood'], restored: 0 },
      { revision: '32c3ebc38184' },
    )
    expect(messageParts(residue)).toEqual({
      short:
        'Downgrading 32c3ebc38184 ("create feedback") does not restore the schema it started from (1 difference). A rollback leaves the database in a state no revision describes, and the next upgrade may fail.',
      fix: 'Make the downgrade undo everything the upgrade does; it still needs `DROP TYPE mood`.',
    })
    const roundtrip = downgradeResidueAtBase({ differences: 2, statements: [] }, {})
    expect(roundtrip.message).toBe(
      'Downgrading every revision back to base does not restore the empty start (2 differences).',
    )
    expect(messageParts(roundtrip).fix).toBe('Run the stairway mode to find which revision leaves it.')
  })

  it('step-timeout and reupgrade-mismatch now say how to fix them too', () => {
    const timeout = failure('upgrade', 'canceling statement due to statement timeout', 'timeout')
    expect(timeout.id).toBe('step-timeout')
    expect(messageParts(timeout)).toEqual({
      short:
        'The upgrade of 5b0c1d2e3f40 ("add nickname to users") was still running after the step timeout and was stopped. A migration that hangs here hangs a deploy.',
      fix: 'Look for locks, long data updates or sleeps, or raise step-timeout if it is legitimately slow.',
    })
    const mismatch = reupgradeDiffers({ what: '3d003752c6c9', differences: 1 }, { revision: '3d003752c6c9' })
    expect(messageParts(mismatch).short).toBe(
      'Upgrading to 3d003752c6c9 again after its downgrade builds a different schema than the first time (1 difference). Environments that rolled back and forward will differ from fresh ones.',
    )
    expect(messageParts(mismatch).fix).toMatch(/^Make the downgrade reset everything the upgrade relies on/)
  })
})

describe('messageParts', () => {
  it('the message in view and the fix folded, trimmed; a blank fix is none', () => {
    expect(messageParts({ message: ' Revision y builds on b. ', fix: " Set down_revision to 'x'. " })).toEqual({
      short: 'Revision y builds on b.',
      fix: "Set down_revision to 'x'.",
    })
    expect(messageParts({ message: 'Accepted.', fix: ' ' })).toEqual({ short: 'Accepted.' })
    expect(messageParts({ message: 'Fix: only a fix' })).toEqual({ short: 'Fix: only a fix' })
  })
})

describe('shorten', () => {
  it('leaves short text alone', () => {
    expect(shorten('One sentence.', 20)).toEqual({ shown: 'One sentence.' })
  })
  it('cuts after the last whole sentence that fits, the rest for the fold', () => {
    const text = `${'a'.repeat(30)}. ${'b'.repeat(30)}. ${'c'.repeat(30)}.`
    expect(shorten(text, 70)).toEqual({ shown: `${'a'.repeat(30)}. ${'b'.repeat(30)}. …`, rest: `${'c'.repeat(30)}.` })
  })
  it('else at the last space; else anywhere, never inside a character', () => {
    expect(shorten(`${'word '.repeat(20)}end`, 30)).toEqual({
      shown: `${'word '.repeat(5).trim()} …`,
      rest: `${'word '.repeat(15)}end`,
    })
    const emoji = '😀'.repeat(40)
    const cut = shorten(emoji, 10)
    expect(cut.shown).toBe(`${'😀'.repeat(9)}…`)
    expect(cut.rest).toBe('😀'.repeat(31))
  })
  it('a sentence end too early to be worth it gives way to a space', () => {
    const text = `Short. ${'x '.repeat(60)}`
    expect(shorten(text, 50).shown).toMatch(/^Short\. x x .* …$/)
  })
})
