// The replay modes over real golang-migrate and dbmate projects, run by runGate on a real
// PostgreSQL (local binaries, else the embedded npm ones), through the same stairway and roundtrip
// code as Alembic. Each test states the exact findings: a change that adds or loses one fails it.
import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runGate } from '../../src/gate.js'
import { readConfig } from '../../src/inputs.js'
import { silentLogger } from '../../src/logger.js'
import { localProvider } from '../../src/postgres/local.js'
import type { GateReport } from '../../src/report.js'
import { ResourceTracker } from '../../src/resource-tracker.js'

/** What this file's servers and processes are tracked by, as a run's are by its own. */
const resources = new ResourceTracker()

const root = join(import.meta.dirname, '..', '..')
const fixtures = join(root, 'test', 'fixtures')
const scratch = mkdtempSync(join(tmpdir(), 'mg-sql-replay-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

const postgres = (async () =>
  (await localProvider({ resources }).unavailableReason()) === null ? 'local' : 'embedded')()

async function gate(dir: string, inputs: Record<string, string> = {}): Promise<GateReport> {
  const provider = await postgres
  const config = readConfig(
    (name) =>
      ({ 'working-directory': dir.startsWith('/') ? dir : join(fixtures, dir), postgres: provider, ...inputs })[name],
  )
  return runGate(config, { logger: silentLogger })
}

const ids = (r: GateReport) => r.findings.map((f) => `${f.id}@${f.revision ?? ''}`).sort()
const at = (r: GateReport, id: string, revision?: string) =>
  r.findings.find((f) => f.id === id && (revision === undefined || f.revision === revision))

describe('golang-migrate', () => {
  it('passes a clean project: timestamps, own BEGIN/COMMIT, a function body, CREATE INDEX CONCURRENTLY alone', async () => {
    const r = await gate('sql-golang-clean')
    expect(r.tool).toBe('golang-migrate')
    expect(ids(r)).toEqual([])
    expect(r.steps).toHaveLength(12)
    expect(r.steps.every((s) => s.ok)).toBe(true)
    expect(r.chain?.heads).toEqual(['20240201120000'])
    const rt = await gate('sql-golang-clean', { mode: 'roundtrip' })
    expect(ids(rt)).toEqual([])
  })

  it('names the index a down file leaves behind, and the re-upgrade it breaks (roundtrip cannot see it)', async () => {
    const r = await gate('sql-golang-residue')
    expect(ids(r)).toEqual(['downgrade-residue@2'])
    const f = at(r, 'downgrade-residue')
    // At the down file, whose work is incomplete (not at the up file that declares the version).
    expect(f?.file).toBe('migrations/0002_archive_chats.down.sql')
    expect(f?.line).toBe(1)
    expect(f?.fix).toMatch(/it still needs `DROP INDEX ix_messages_chat_id_created_at`\.$/)
    expect(f?.details?.[0]).toMatch(/index ix_messages_chat_id_created_at on messages: present now, absent before/)
    expect(f?.details?.at(-1)).toMatch(/relation "ix_messages_chat_id_created_at" already exists/)
    // Rebuilt, the stairway went on to version 3.
    expect(r.steps.some((s) => s.revision === '3' && s.phase === 're' && s.ok)).toBe(true)
    expect(ids(await gate('sql-golang-residue', { mode: 'roundtrip' }))).toEqual([])
  })

  it('reports an upgrade that fails on its data at the line where the failing statement starts', async () => {
    const r = await gate('sql-golang-upgrade-fails')
    expect(ids(r)).toEqual(['upgrade-failed@2'])
    const f = at(r, 'upgrade-failed')
    expect(f?.message).toMatch(/column "display_name" of relation "users" contains null values/)
    expect([f?.file, f?.line]).toEqual(['migrations/2_display_name.up.sql', 4])
    expect(r.steps.some((s) => s.revision === '3')).toBe(false)
  })

  it('finds a re-upgrade that fails on seeded rows and a down file that fails, and goes on', async () => {
    const r = await gate('sql-golang-rollback-bugs')
    expect(ids(r)).toEqual(['downgrade-failed@3', 'reupgrade-mismatch@2'])
    const re = at(r, 'reupgrade-mismatch')
    expect(re?.message).toMatch(/duplicate key value violates unique constraint "plans_code_key"/)
    expect([re?.file, re?.line]).toEqual(['migrations/002_seed_plans.up.sql', 3])
    const down = at(r, 'downgrade-failed')
    expect(down?.message).toMatch(/constraint "orgs_plan_fk" of relation "orgs" does not exist/)
    expect([down?.file, down?.line]).toEqual(['migrations/003_orgs.down.sql', 2])
    expect(r.steps.some((s) => s.revision === '4' && s.phase === 're' && s.ok)).toBe(true)
  })

  it('grades versions without down SQL once (statically), by severity and allow-list, and replays the rest', async () => {
    const r = await gate('sql-golang-irreversible')
    expect(ids(r)).toEqual(['irreversible-migration@2', 'irreversible-migration@3'])
    // 2 has no down file (static); 3's down file holds only a comment, judged by the replay: its up
    // added a column, so the empty down is irreversible, at the down file.
    expect(at(r, 'irreversible-migration', '3')).toMatchObject({ file: 'migrations/3_timezone.down.sql', line: 1 })
    expect(at(r, 'irreversible-migration', '3')?.message).toMatch(
      /its downgrade does nothing while its upgrade changes the schema/,
    )
    expect(r.findings.every((f) => f.severity === 'warning')).toBe(true)
    expect(r.result).toBe('pass')
    expect(r.steps.filter((s) => s.revision === '4').map((s) => s.ok)).toEqual([true, true, true])
    const strict = await gate('sql-golang-irreversible', {
      'irreversible-severity': 'error',
      'allow-irreversible': '2: emails were lower-cased for good',
    })
    expect(Object.fromEntries(strict.findings.map((f) => [f.revision, f.severity]))).toEqual({
      '2': 'notice',
      '3': 'error',
    })
    expect(strict.result).toBe('fail')
  })

  it('a data-only up with a down file holding no statement needs nothing undone (as an Alembic `pass` downgrade)', async () => {
    const r = await gate('sql-golang-data-only')
    expect(ids(r)).toEqual([])
    expect(r.steps.filter((s) => s.revision === '2').map((s) => s.ok)).toEqual([true, true, true])
  })

  it('stops a hanging step at the step timeout and names the version', async () => {
    const t0 = performance.now()
    const r = await gate('sql-golang-hang', { 'step-timeout': '1' })
    expect(ids(r)).toEqual(['step-timeout@2'])
    expect(at(r, 'step-timeout')?.file).toBe('migrations/2_page_count.up.sql')
    expect(performance.now() - t0).toBeLessThan(30_000)
  })

  it('a re-upgrade that hangs is a step-timeout in the roundtrip too, as in the stairway (not a mismatch)', async () => {
    // 2's down leaves a marker table; 2's up waits forever when it finds one.
    const rt = await gate('sql-golang-reupgrade-hang', { mode: 'roundtrip', 'step-timeout': '1' })
    expect(ids(rt)).toEqual(['downgrade-residue@', 'step-timeout@2'])
    expect(at(rt, 'step-timeout')?.message).toMatch(/^The upgrade of 2 \("import_state"\) was still running/)
    const stairway = await gate('sql-golang-reupgrade-hang', { 'step-timeout': '1' })
    expect(ids(stairway)).toEqual(['downgrade-residue@2'])
    expect(at(stairway, 'downgrade-residue')?.details?.at(-1)).toMatch(
      /^upgrading again then fails: stopped after the step timeout of 1 s$/,
    )
  })

  it('reports the chain statically and skips the replay while a file is unusable', async () => {
    const r = await gate('sql-golang-chain')
    expect(ids(r)).toEqual([
      'duplicate-revision@2',
      'irreversible-migration@3',
      'unparseable-migration@',
      'unparseable-migration@5',
    ])
    expect(r.steps).toEqual([])
    expect(r.notes.join(' ')).toMatch(/replay skipped: the chain has unparseable-migration/)
  })

  it('the examples: sql-app passes, sql-app-broken fails with a residue and a duplicate version', async () => {
    const ok = await gate(join(root, 'examples', 'sql-app'))
    expect(ids(ok)).toEqual([])
    expect(ok.steps).toHaveLength(15)
    const broken = await gate(join(root, 'examples', 'sql-app-broken'))
    expect(ids(broken)).toEqual(['downgrade-residue@2', 'duplicate-revision@4'])
    expect(at(broken, 'downgrade-residue')?.details?.[0]).toMatch(/type user_role \(enum\): present now, absent before/)
    expect(at(broken, 'duplicate-revision')?.file).toBe('migrations/000004_create_invoices.up.sql')
    // The duplicate does not stop the replay: version 4 ran its first file, version 5 ran too.
    expect(broken.steps.filter((s) => s.revision === '5').every((s) => s.ok)).toBe(true)
  })
})

describe('dbmate', () => {
  it('passes a clean project: transaction:false CREATE INDEX CONCURRENTLY, several blocks in one file', async () => {
    const r = await gate('sql-dbmate-clean')
    expect(r.tool).toBe('dbmate')
    expect(ids(r)).toEqual([])
    expect(r.steps).toHaveLength(12)
    expect(ids(await gate('sql-dbmate-clean', { mode: 'roundtrip' }))).toEqual([])
  })

  it('names the enum type a down block leaves behind; roundtrip sees it at base', async () => {
    const r = await gate('sql-dbmate-residue')
    expect(ids(r)).toEqual(['downgrade-residue@20240702090000'])
    expect(at(r, 'downgrade-residue')?.details).toEqual([
      'type mood (enum): present now, absent before',
      'upgrading again then fails: type "mood" already exists',
    ])
    const rt = await gate('sql-dbmate-residue', { mode: 'roundtrip' })
    expect(ids(rt)).toEqual(['downgrade-residue@', 'reupgrade-mismatch@20240702090000'])
    expect(at(rt, 'reupgrade-mismatch')?.line).toBe(2)
  })

  it('finds re-upgrades that build something else or fail on data the down block kept (roundtrip cannot)', async () => {
    const r = await gate('sql-dbmate-reupgrade')
    expect(ids(r)).toEqual(['reupgrade-mismatch@20240402090000', 'reupgrade-mismatch@20240403090000'])
    const [differs, fails] = r.findings
    expect(differs?.details).toEqual(['sequence invoice_number_seq: start 2000 now, 1000 before'])
    expect(fails?.message).toMatch(/duplicate key value violates unique constraint "plans_code_key"/)
    expect([fails?.file, fails?.line]).toEqual(['db/migrations/20240403090000_seed_plans.sql', 4])
    expect(ids(await gate('sql-dbmate-reupgrade', { mode: 'roundtrip' }))).toEqual([])
  })

  it('reports a failing down block at its statement and goes on', async () => {
    const r = await gate('sql-dbmate-downgrade-fails')
    expect(ids(r)).toEqual(['downgrade-failed@20240502090000'])
    const f = at(r, 'downgrade-failed')
    expect([f?.file, f?.line]).toEqual(['db/migrations/20240502090000_users_org_id.sql', 7])
    expect(r.steps.some((s) => s.revision === '20240503090000' && s.phase === 're' && s.ok)).toBe(true)
  })

  it('maps the server position of a syntax error to its line, past multi-byte text', async () => {
    const r = await gate('sql-dbmate-upgrade-fails')
    expect(ids(r)).toEqual(['upgrade-failed@20240602090000'])
    const f = at(r, 'upgrade-failed')
    expect(f?.message).toMatch(/syntax error at or near "NUL"/)
    expect([f?.file, f?.line]).toEqual(['db/migrations/20240602090000_pdf_status.sql', 7])
  })

  it('reports the chain statically, and replays a duplicated version by its first file', async () => {
    const r = await gate('sql-dbmate-chain', { mode: 'static' })
    // An empty -- migrate:down block is judged by the replay (as an Alembic `pass` downgrade is):
    // statically it is no finding; replayed, its schema-changing up makes it irreversible (below).
    expect(ids(r)).toEqual([
      'duplicate-revision@20240102000000',
      'unparseable-migration@',
      'unparseable-migration@20240104000000',
      'unparseable-migration@20240105000000',
    ])
    const dir = join(scratch, 'dbmate-duplicate')
    cpSync(join(fixtures, 'sql-dbmate-chain'), dir, {
      recursive: true,
      filter: (src) => !/(add_phone|backfill|create_index)\.sql$/.test(src),
    })
    const replayed = await gate(dir)
    expect(ids(replayed)).toEqual(['duplicate-revision@20240102000000', 'irreversible-migration@20240103000000'])
    expect([...new Set(replayed.steps.map((s) => s.revision))]).toEqual([
      '20240101000000',
      '20240102000000',
      '20240103000000',
    ])
  })
})
