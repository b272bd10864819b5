// The replay modes over real Alembic projects (test/fixtures/README.md states each expectation),
// run by runGate on a real PostgreSQL with real Alembic through the Python helper. One suite, run by
// one test file per Alembic generation and replay-workers value, so the runs go in parallel: Debian's
// alembic 1.8 on one database and in slices, a newer Alembic on one database.
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runGate } from '../../src/gate.js'
import { readConfig, type GateConfig } from '../../src/inputs.js'
import { silentLogger } from '../../src/logger.js'
import type { GateReport } from '../../src/report.js'

const fixtures = join(import.meta.dirname, '..', 'fixtures')

export interface ReplaySuite {
  /** Names the Alembic generation in the test names. */
  label: string
  interpreter: () => Promise<string>
  /**
   * The replay-workers input for every gate run: '1' replays each stairway on one database, more cuts
   * it into slices on databases side by side. The same expectations must hold for both.
   */
  workers: string
  /** Why the suite cannot run here: it is then counted as skipped, with this reason printed. */
  skip?: string | undefined
  /**
   * The roundtrip tests. replay-workers does not change a roundtrip (it always runs on one database),
   * so a second run of the suite on the same interpreter leaves them out.
   */
  roundtrip?: boolean
}

export function replaySuite({ label, interpreter, workers, skip, roundtrip = true }: ReplaySuite): void {
  describe(`${label}, replay-workers: ${workers}`, () => {
    if (skip) {
      console.log(`${label} skipped: ${skip}`)
      it.skip(`skipped: ${skip}`, () => {})
      return
    }

    async function gate(fixture: string, inputs: Record<string, string> = {}): Promise<GateReport> {
      const python = await interpreter()
      const config: GateConfig = readConfig(
        (name) =>
          ({
            'working-directory': join(fixtures, fixture),
            postgres: 'local',
            python,
            'replay-workers': workers,
            ...inputs,
          })[name],
      )
      return runGate(config, { logger: silentLogger })
    }

    async function canImport(python: string, module: string): Promise<boolean> {
      return new Promise((resolve) => execFile(python, ['-c', `import ${module}`], (error) => resolve(!error)))
    }

    const ids = (r: GateReport) => r.findings.map((f) => `${f.id}@${f.revision ?? ''}`).sort()

    describe('stairway over real Alembic projects', () => {
      it('passes a clean linear chain: every revision up, down, up with equal schemas', async () => {
        const r = await gate('alembic-clean')
        expect(ids(r)).toEqual([])
        expect(r.result).toBe('pass')
        // 6 revisions x (up, down, up)
        expect(r.steps).toHaveLength(18)
        expect(r.steps.every((s) => s.ok)).toBe(true)
        expect(r.chain?.heads).toEqual(['bb86aaac9fb9'])
        expect(r.postgres?.provider).toBe('local')
      })

      it('walks a branch and its merge revision exactly, one revision per step', async () => {
        const r = await gate('alembic-branch-merge')
        expect(ids(r)).toEqual([])
        const firstUps = r.steps.filter((s) => s.phase === 'first').map((s) => s.revision)
        expect(firstUps).toHaveLength(5)
        expect(firstUps.indexOf('68c6ba1568ee')).toBeGreaterThan(firstUps.indexOf('5f70b95f68ea'))
        expect(firstUps.indexOf('68c6ba1568ee')).toBeGreaterThan(firstUps.indexOf('1f71198dfe61'))
        expect(firstUps.at(-1)).toBe('dbeb92772b0b')
      })

      it('names the enum type a downgrade leaves behind, and the re-upgrade it breaks', async () => {
        const r = await gate('alembic-enum-residue')
        expect(ids(r)).toEqual(['downgrade-residue@32c3ebc38184'])
        const f = r.findings[0]
        expect(f?.file).toMatch(/32c3ebc38184.*\.py$/)
        expect(f?.details?.some((d) => /type mood/.test(d) && /present now, absent before/.test(d))).toBe(true)
        expect(f?.details?.at(-1)).toMatch(/type "mood" already exists/)
        expect(r.result).toBe('fail')
        // The stairway went on after rebuilding: the next revision was replayed too.
        expect(r.steps.some((s) => s.revision === '13ef259690e1' && s.phase === 're' && s.ok)).toBe(true)
      })

      it('names the index a downgrade leaves behind (roundtrip cannot see it)', async () => {
        const r = await gate('alembic-index-residue')
        expect(ids(r)).toEqual(['downgrade-residue@f9b1e322008a'])
        expect(r.findings[0]?.details?.some((d) => d.includes('ix_messages_chat_id_created_at'))).toBe(true)
        const rt = await gate('alembic-index-residue', { mode: 'roundtrip' })
        expect(ids(rt)).toEqual([])
      })

      it('reports a crashing downgrade (drop_constraint(None)) at the user line and goes on', async () => {
        const r = await gate('alembic-drop-constraint-none')
        expect(ids(r)).toEqual(['downgrade-failed@f07c378d7aff'])
        const f = r.findings[0]
        expect(f?.message).toMatch(/Can't emit DROP CONSTRAINT/)
        expect(f?.message).toMatch(/it has no name/)
        // Said plainly, with the name PostgreSQL gave the constraint (the database still has it).
        expect(f?.message).toMatch(/for an unnamed foreign key on users/)
        // The fix apart from the message (the summary folds it under the row).
        expect(f?.fix).toContain(
          'Name the constraint: PostgreSQL named this foreign key users_org_id_fkey, so write `op.drop_constraint("users_org_id_fkey", "users", type_="foreignkey")`',
        )
        expect(f?.message).not.toMatch(/DedupeColumnCollection|ReadOnlyColumnCollection/)
        expect(f?.file).toBe('alembic/versions/f07c378d7aff_add_org_id_to_users.py')
        expect(f?.line).toBe(28)
        expect(r.steps.some((s) => s.revision === 'd946badbcfd1' && s.phase === 're' && s.ok)).toBe(true)
      })

      it('ends at a failing first upgrade with the database error and the line', async () => {
        const r = await gate('alembic-upgrade-fails')
        expect(ids(r)).toEqual(['upgrade-failed@30eb669f75af'])
        const f = r.findings[0]
        expect(f?.message).toMatch(/NotNullViolation: column "display_name" of relation "users" contains null values/)
        expect(f?.line).toBe(21)
        expect(r.steps.some((s) => s.revision === '33167238df46')).toBe(false)
      })

      it('stops a hanging step at the step timeout and names the revision', async () => {
        const r = await gate('alembic-hang', { 'step-timeout': '2' })
        expect(ids(r)).toEqual(['step-timeout@953bee991860'])
        expect(r.findings[0]?.severity).toBe('error')
      })

      it('hands the URL to an env.py that reads DATABASE_URL, and an async URL to an async env.py', async () => {
        expect(ids(await gate('alembic-env-database-url'))).toEqual([])
        expect(ids(await gate('alembic-async'))).toEqual([])
      })

      it('grades irreversible migrations as warnings, errors, or accepted by the allow-list', async () => {
        const r = await gate('alembic-irreversible')
        expect(ids(r)).toEqual(['irreversible-migration@3d003752c6c9', 'irreversible-migration@fdcbc72368f7'])
        expect(r.findings.every((f) => f.severity === 'warning')).toBe(true)
        expect(r.result).toBe('pass')
        const strict = await gate('alembic-irreversible', {
          'irreversible-severity': 'error',
          'allow-irreversible': 'fdcbc72368f7: emails were lower-cased for good',
        })
        const bySeverity = Object.fromEntries(strict.findings.map((f) => [f.revision, f.severity]))
        expect(bySeverity).toEqual({ fdcbc72368f7: 'notice', '3d003752c6c9': 'error' })
        expect(strict.result).toBe('fail')
      })

      it('a data-only upgrade with a `pass` downgrade needs nothing undone; `raise NotImplemented(...)` is irreversible', async () => {
        const r = await gate('alembic-data-only')
        // The same rule as an empty SQL down file (sql-replay.test.ts, sql-golang-data-only).
        expect(ids(r)).toEqual(['irreversible-migration@dc9a9da06170'])
        const f = r.findings[0]
        expect(f?.message).toMatch(/calls NotImplemented\(\.\.\.\), which raises TypeError/)
        expect(f?.file).toBe('alembic/versions/dc9a9da06170_add_users_timezone.py')
        expect(f?.line).toBe(25) // the raise
        expect(f?.severity).toBe('warning')
      })

      it('replays type-annotated modern revisions and a Flask-Migrate project', async (t) => {
        expect(ids(await gate('alembic-modern'))).toEqual([])
        if (!(await canImport(await interpreter(), 'flask_migrate'))) {
          console.log('Flask-Migrate part skipped: flask_migrate is not importable by this interpreter')
          t.skip()
        }
        const flask = await gate('flask-migrate-app')
        expect(ids(flask)).toEqual([])
        expect(flask.tool).toBe('flask-migrate')
        expect(flask.steps).toHaveLength(9)
      })
    })

    // Left out, not skipped: the other run of this interpreter has them (no skip line to explain).
    if (roundtrip)
      describe('roundtrip', () => {
        it('finds the enum residue at base and the failing re-upgrade', async () => {
          const r = await gate('alembic-enum-residue', { mode: 'roundtrip' })
          expect(ids(r)).toEqual(['downgrade-residue@', 'reupgrade-mismatch@32c3ebc38184'])
        })

        it('passes a clean chain', async () => {
          const r = await gate('alembic-clean', { mode: 'roundtrip' })
          expect(ids(r)).toEqual([])
          expect(r.steps).toHaveLength(18)
        })
      })
  })
}
