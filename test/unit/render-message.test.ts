// Splitting a finding's message into the short part a table row shows and the fix folded under it,
// over the messages the checks really write (made by the checks' own functions where they are pure,
// else copied from them), and shortening what is still too long.
import { describe, expect, it } from 'vitest'
import { checkMigrationEdits, checkModelChanges, type ChangeRules } from '../../src/checks/changes.js'
import { checkChain } from '../../src/checks/chain.js'
import { driftFindings } from '../../src/checks/drift.js'
import { irreversible, ReplayLog, stepFailure, type ReplayContext } from '../../src/checks/replay-context.js'
import { checkMergedChain } from '../../src/checks/stale.js'
import { alembicWording } from '../../src/drivers/alembic/wording.js'
import type { RevisionGraph, RevisionNode } from '../../src/drivers/driver.js'
import { staleVersions } from '../../src/drivers/sql/stale.js'
import type { Finding } from '../../src/report.js'
import { messageParts, shorten, splitMessage } from '../../src/render/message.js'

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

/** Nothing is lost: short and fix together hold every word of the message. */
function expectLossless(message: string, parts: { short: string; fix?: string }): void {
  const words = (s: string) =>
    s
      .toLowerCase()
      .replace(/fix:/g, '')
      .split(/[\s;]+/)
      .filter(Boolean)
  const rejoined = words(`${parts.short} ${parts.fix ?? ''}`).map((w) => w.replace(/\.$/, ''))
  expect(rejoined).toEqual(words(message).map((w) => w.replace(/\.$/, '')))
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

describe('splitMessage over the "Fix:" messages', () => {
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
    const parts = splitMessage(f.message)
    expect(parts.short).toBe(
      "Revision y builds on b, but main has moved on: b is followed there by x, and main's head is now 'x'. " +
        'Merged as it is, the chain gets a second head: `alembic upgrade head` fails with "Multiple head revisions are present for given argument \'head\'", so the deploy stops.',
    )
    expect(parts.fix).toMatch(
      /^Update the branch from main and set down_revision in versions\/y\.py \(line 14\) to 'x'/,
    )
    expect(parts.fix).toContain('merge_group')
    expectLossless(f.message, parts)
  })

  it('stale-parent (golang-migrate): the rename is the fix', () => {
    const [f] = staleVersions(
      'golang-migrate',
      ['20240201120000', '20240215000000'],
      [{ version: '20240210000000', file: 'migrations/20240210000000_add_muted.up.sql' }],
    )
    const parts = splitMessage(f!.message)
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
      const parts = splitMessage(f.message)
      expect(parts.fix, f.id).toMatch(fix)
      expect(parts.short, f.id).not.toContain('Fix:')
      expect(parts.short, f.id).toMatch(/\.$/)
      expectLossless(f.message, parts)
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
    const edited = splitMessage(checkMigrationEdits(rules, 'error')[0]!.message)
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
    const models = splitMessage(findings[0]!.message)
    expect(models.short).toMatch(
      /^`models\.py` changed, a model file, but this PR adds no migration: .*"column \.\.\. does not exist"\)\.$/,
    )
    expect(models.fix).toMatch(
      /^Run `alembic revision --autogenerate -m "\.\.\."`, review the file it writes, and commit it\. If /,
    )
  })

  it('a "Fix:" in the reason of an unparseable file, and messages prefixed by the scope and the merge check', () => {
    const sql =
      'db/migrations/create_index.sql cannot be used as a migration: its name does not start with a version, so dbmate skips it without a word and it never runs. ' +
      'Fix: rename it VERSION_NAME.sql (`dbmate new` uses a UTC timestamp, e.g. 20240131120000_create_index.sql).'
    expect(splitMessage(sql)).toEqual({
      short:
        'db/migrations/create_index.sql cannot be used as a migration: its name does not start with a version, so dbmate skips it without a word and it never runs.',
      fix: 'Rename it VERSION_NAME.sql (`dbmate new` uses a UTC timestamp, e.g. 20240131120000_create_index.sql).',
    })
    const merged = `After merging with main as it is now: ${only(checkChain(graph(node('a'), node('b <- a'), node('c <- a')), alembicWording), 'multiple-heads').message}`
    expect(splitMessage(merged).short).toMatch(/^After merging with main as it is now: 2 head revisions: /)
    expect(splitMessage(`pre-existing: ${sql}`).short).toMatch(
      /^pre-existing: db\/migrations\/create_index\.sql cannot/,
    )
  })
})

describe('splitMessage over messages without "Fix:"', () => {
  it('upgrade-failed and downgrade-failed: the closing clause after the semicolon', () => {
    const up = failure('upgrade', 'ZeroDivisionError: division by zero')
    expect(splitMessage(up.message)).toEqual({
      short:
        'Upgrading to 5b0c1d2e3f40 ("add nickname to users") fails: ZeroDivisionError: division by zero. A deploy running this migration would stop here.',
      fix: 'Fix the upgrade.',
    })
    const down = failure('downgrade', 'UndefinedObject: constraint "fk" does not exist')
    expect(splitMessage(down.message).fix).toBe('Fix the downgrade so it undoes the upgrade.')
    expect(splitMessage(down.message).short).toMatch(/A rollback would stop here\.$/)
  })

  it('the last instruction counts: one in the database error is not the fix', () => {
    const up = failure('upgrade', 'syntax error; fix the quoting. Write it again')
    expect(splitMessage(up.message)).toEqual({
      short:
        'Upgrading to 5b0c1d2e3f40 ("add nickname to users") fails: syntax error; fix the quoting. Write it again. A deploy running this migration would stop here.',
      fix: 'Fix the upgrade.',
    })
  })

  it('a revision message that says "Fix:" is not the fix (it is quoted)', () => {
    const l = new ReplayLog(graph(node('a1 <- a0', 'Fix: wrong column type')))
    stepFailure(l, 'a1', 'upgrade', { ok: false, ms: 1, error: { message: 'boom' } }, ctx as unknown as ReplayContext)
    expect(splitMessage(l.findings[0]!.message)).toEqual({
      short: 'Upgrading to a1 ("Fix: wrong column type") fails: boom. A deploy running this migration would stop here.',
      fix: 'Fix the upgrade.',
    })
  })

  it('irreversible-migration: the instruction after the semicolon; accepted by the allow-list, nothing to fix', () => {
    const f = replayFinding((l) =>
      irreversible(l, '5b0c1d2e3f40', ctx as unknown as ReplayContext, 'its downgrade runs no statement'),
    )
    expect(splitMessage(f.message)).toEqual({
      short:
        '5b0c1d2e3f40 ("add nickname to users") cannot be downgraded: its downgrade runs no statement. A rollback past it is impossible.',
      fix: 'Write a downgrade, or allow-list the revision with a reason.',
    })
    const accepted = replayFinding((l) => irreversible(l, 'a11', ctx as unknown as ReplayContext, 'no down file'))
    expect(splitMessage(accepted.message)).toEqual({ short: accepted.message })
  })

  it('SQL irreversible-migration and model-drift: a closing sentence that starts with the instruction', () => {
    const sql =
      '3 ("add_email") cannot be downgraded: there is no down file (3_add_email.down.sql). golang-migrate rolls back past it as an empty migration: the version goes, the schema stays, and the next upgrade meets objects that already exist. Write the down SQL, or allow-list the version with a reason.'
    expect(splitMessage(sql).fix).toBe('Write the down SQL, or allow-list the version with a reason.')
    expect(splitMessage(sql).short).toMatch(/^3 \("add_email"\) cannot be downgraded: .*objects that already exist\.$/)
    const [drift] = driftFindings(
      [
        {
          message: 'models declare pdfs.processing_started_at (TIMESTAMP); no migration creates it',
          direction: 'missing',
        },
      ],
      'alembic revision --autogenerate -m "..."',
    )
    expect(splitMessage(drift!.message)).toEqual({
      short:
        'models declare pdfs.processing_started_at (TIMESTAMP); no migration creates it. Code that uses the models fails against a database built by the migrations.',
      fix: 'Write the migration (`alembic revision --autogenerate -m "..."`, then review it), or change the model to match.',
    })
  })

  it('downgrade-residue and the round trip: the fix after the consequence', () => {
    const residue =
      'Downgrading 32c3ebc38184 ("create feedback") does not restore the schema it started from (1 difference). A rollback leaves the database in a state no revision describes, and the next upgrade may fail; make the downgrade undo everything the upgrade does.'
    expect(splitMessage(residue)).toEqual({
      short:
        'Downgrading 32c3ebc38184 ("create feedback") does not restore the schema it started from (1 difference). A rollback leaves the database in a state no revision describes, and the next upgrade may fail.',
      fix: 'Make the downgrade undo everything the upgrade does.',
    })
    const roundtrip =
      'Downgrading every revision back to base does not restore the empty start (2 differences). Run the stairway mode to find which revision leaves it.'
    expect(splitMessage(roundtrip).fix).toBe('Run the stairway mode to find which revision leaves it.')
  })

  it('messages with no fix, or one after a colon (user text often follows one), stay whole', () => {
    const timeout = failure('upgrade', 'canceling statement due to statement timeout', 'timeout')
    expect(timeout.id).toBe('step-timeout')
    expect(splitMessage(timeout.message)).toEqual({ short: timeout.message })
    const mismatch =
      'Upgrading to 3d003752c6c9 again after its downgrade builds a different schema than the first time (1 difference). Environments that rolled back and forward will differ from fresh ones.'
    expect(splitMessage(mismatch)).toEqual({ short: mismatch })
    expect(splitMessage('Fix: only a fix')).toEqual({ short: 'Fix: only a fix' })
  })
})

describe("messageParts: the finding's own fix wins", () => {
  const message = "Revision y builds on b, but main has moved on. Fix: set down_revision in versions/y.py to 'x'."
  it('a consequence-only message with its fix apart', () => {
    expect(
      messageParts({ message: 'Revision y builds on b, but main has moved on.', fix: "Set down_revision to 'x'." }),
    ).toEqual({
      short: 'Revision y builds on b, but main has moved on.',
      fix: "Set down_revision to 'x'.",
    })
  })
  it('a message that still ends with that same fix shows it once', () => {
    expect(messageParts({ message, fix: "Set down_revision in versions/y.py to 'x'" })).toEqual({
      short: 'Revision y builds on b, but main has moved on.',
      fix: "Set down_revision in versions/y.py to 'x'",
    })
  })
  it('a message with another fix stays whole: nothing it says is lost', () => {
    expect(messageParts({ message, fix: 'Merge the heads.' })).toEqual({ short: message, fix: 'Merge the heads.' })
  })
  it('without one (or an empty one), the message is split', () => {
    expect(messageParts({ message })).toEqual(splitMessage(message))
    expect(messageParts({ message, fix: ' ' })).toEqual(splitMessage(message))
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
