// The stairway cut into slices on databases side by side must report what one database reports: the
// same findings (ids, revisions, severities, messages, details) and the same steps, in chain order,
// wherever the slice boundaries fall. Real PostgreSQL, the real SQL driver, the real fixtures.
import { join } from 'node:path'
import pg from 'pg'
import { majorOf } from '../../src/postgres/databases.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { planSlices } from '../../src/checks/replay-slices.js'
import { runGate } from '../../src/gate.js'
import { readConfig } from '../../src/inputs.js'
import { silentLogger } from '../../src/logger.js'
import type { Server } from '../../src/postgres/provider.js'
import type { GateReport } from '../../src/report.js'
import { pythonWithAlembic } from '../support/python.js'
import { startTestServer } from '../support/server.js'

const fixtures = join(import.meta.dirname, '..', 'fixtures')
// One server for the whole file (the gate creates and drops its scratch databases in it): dozens of
// runs would otherwise each start their own.
let server: Server
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server?.stop()
})

async function gate(fixture: string, inputs: Record<string, string>): Promise<GateReport> {
  const config = readConfig(
    (name) =>
      ({
        'working-directory': join(fixtures, fixture),
        postgres: 'url',
        'database-url': server.urlFor('postgres'),
        ...inputs,
      })[name],
  )
  return runGate(config, { logger: silentLogger })
}

/** What a report says, without timings. */
const said = (r: GateReport) => ({
  result: r.result,
  findings: r.findings.map((f) => ({ ...f })),
  steps: r.steps.map((s) => `${s.revision} ${s.direction} ${s.phase} ${s.ok ? 'ok' : `failed: ${s.error}`}`),
})

describe('stairway slices', () => {
  // Fixtures with residue, failed downgrades, rebuilds, irreversible revisions and a failing first upgrade.
  const fixturesWithFindings = [
    'sql-golang-clean',
    'sql-golang-residue',
    'sql-golang-rollback-bugs',
    'sql-golang-irreversible',
    'sql-golang-upgrade-fails',
    'sql-dbmate-residue',
    'sql-dbmate-reupgrade',
    'sql-dbmate-downgrade-fails',
    'sql-dbmate-upgrade-fails',
    // 3 seeds a row its downgrade forgets; on one database 4's unique index then fails. A slice
    // starting after 3 must stand on the same rows, not on a fresh deploy's.
    'sql-golang-data-residue',
    // 3 needs 2 to have run twice (a sequence 2 bumps): passes on one database, and must on slices.
    'sql-golang-fresh-deploy',
  ]

  it.each(fixturesWithFindings)('%s: 2, 3 and 4 databases report exactly what one does', async (fixture) => {
    const one = said(await gate(fixture, { 'replay-workers': '1' }))
    expect(one.steps.length).toBeGreaterThan(0)
    for (const workers of ['2', '3', '4']) {
      expect(said(await gate(fixture, { 'replay-workers': workers })), `replay-workers: ${workers}`).toEqual(one)
    }
  })

  it('finds the data a downgrade leaves behind on every slicing, where one database finds it', async () => {
    const r = await gate('sql-golang-data-residue', { 'replay-workers': '4' })
    expect(r.findings.map((f) => `${f.id}@${f.revision}`)).toEqual(['upgrade-failed@4'])
    expect(r.findings[0]?.message).toMatch(/could not create unique index "settings_key"/)
    // 4 sits after the cut: the slice that checks it replayed 1-3 up, down, up first.
    expect(planSlices(['1', '2', '3', '4', '5', '6'], 4).find((s) => s.revisions.includes('4'))?.prefix).toContain('3')
  })

  it('keeps an explicit worker count on migrations that create roles, and says what may go wrong', async () => {
    const one = await gate('sql-golang-roles', { 'replay-workers': '1' })
    expect(one.findings).toEqual([])
    expect(one.notes.some((n) => n.includes('server shares'))).toBe(false)
    // This file runs the gate with postgres: url: the role is made in that server, and the user hears so.
    expect(one.notes).toContain(
      "migrations/2_role.down.sql:1 (DROP ROLE) changes objects of the whole server behind database-url, not only the gate's scratch database: roles, tablespaces or databases the migrations leave behind stay on that server after the run",
    )
    // Before PostgreSQL 16 a run's own role could not create roles without being able to alter the
    // user's: such migrations run as the user, and the user hears that isolation rests on its privileges.
    const isolationNote = one.notes.filter((n) => n.startsWith('isolation on the database-url server'))
    if (majorOf(server.serverVersion) < 16) {
      expect(isolationNote).toEqual([
        expect.stringContaining('the migrations manage roles (migrations/2_role.down.sql:1 (DROP ROLE))'),
      ])
    } else {
      expect(isolationNote).toEqual([])
    }
    try {
      // Its findings depend on which database creates the role first: only the note is certain.
      const two = await gate('sql-golang-roles', { 'replay-workers': '2' })
      expect(
        two.notes.some((n) => /^replay-workers: 2 kept although migrations\/2_role\.down\.sql:1 \(DROP ROLE\)/.test(n)),
      ).toBe(true)
    } finally {
      // A role outlives the databases that were dropped: leave the server as the file found it.
      const admin = new pg.Client({ connectionString: server.urlFor('postgres') })
      await admin.connect()
      await admin.query('DROP ROLE IF EXISTS reporting').finally(() => admin.end())
    }
  })

  it('compares the models once, on the last database, after every slice went through', async () => {
    const python = await pythonWithAlembic()
    const one = await gate('alembic-drift', { python, 'replay-workers': '1' })
    expect(one.findings.filter((f) => f.id === 'model-drift')).toHaveLength(4)
    expect(said(await gate('alembic-drift', { python, 'replay-workers': '2' }))).toEqual(said(one))
  })

  it('rejects a worker count that is not a whole number from 1 to 8, naming the input', async () => {
    for (const bad of ['0', '-1', '2.5', 'many', '9']) {
      expect(() => readConfig((name) => ({ 'replay-workers': bad })[name])).toThrow(/^replay-workers: /)
    }
  })
})
