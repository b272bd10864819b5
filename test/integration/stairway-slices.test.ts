// The stairway cut into slices on databases side by side must report what one database reports: the
// same findings (ids, revisions, severities, messages, details) and the same steps, in chain order,
// wherever the slice boundaries fall. Real PostgreSQL, the real SQL driver, the real fixtures.
import { join } from 'node:path'
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
  ]

  it.each(fixturesWithFindings)('%s: 2 and 3 databases report exactly what one does', async (fixture) => {
    const one = said(await gate(fixture, { 'replay-workers': '1' }))
    expect(one.steps.length).toBeGreaterThan(0)
    for (const workers of ['2', '3']) {
      expect(said(await gate(fixture, { 'replay-workers': workers })), `replay-workers: ${workers}`).toEqual(one)
    }
  })

  it('reports a revision that upgrades in the stairway but not on a fresh database, and stops there', async () => {
    // 0003 needs 0002 to have run twice. One database runs 0002 up, down, up before 0003 and passes;
    // with two, the second database is built by plain upgrades through 0003 at least, as a fresh
    // deploy is, and the first replays 0001 to 0003 at least.
    const [first, second] = planSlices(['1', '2', '3', '4', '5', '6'], 2)
    expect(second?.prefix).toContain('3')

    const serial = await gate('sql-golang-fresh-deploy', { 'replay-workers': '1' })
    expect(serial.findings).toEqual([])

    const sliced = await gate('sql-golang-fresh-deploy', { 'replay-workers': '2' })
    expect(sliced.findings.map((f) => `${f.id}@${f.revision}`)).toEqual(['upgrade-failed@3'])
    const f = sliced.findings[0]
    expect(f?.message).toMatch(/deploy_counter is 1, expected at least 2/)
    expect(f?.details?.at(-1)).toMatch(/fails on a fresh database upgraded from base/)
    expect(f?.file).toMatch(/0003_needs_two_bumps\.up\.sql$/)
    expect(sliced.result).toBe('fail')
    // The first slice's steps, then the failed plain upgrade; the second slice's revisions never ran.
    expect(sliced.steps.at(-1)).toMatchObject({ revision: '3', direction: 'upgrade', phase: 'rebuild', ok: false })
    expect(sliced.steps.filter((s) => s.phase === 'first').map((s) => s.revision)).toEqual(first?.revisions)
  })

  it('compares the models once, on the last database, after every slice went through', async () => {
    const python = await pythonWithAlembic()
    const one = await gate('alembic-drift', { python, 'replay-workers': '1' })
    expect(one.findings.filter((f) => f.id === 'model-drift')).toHaveLength(4)
    expect(said(await gate('alembic-drift', { python, 'replay-workers': '2' }))).toEqual(said(one))
  })

  it('does not compare the models when an earlier slice ended the stairway', async () => {
    const python = await pythonWithAlembic()
    const r = await gate('alembic-upgrade-fails', { python, 'replay-workers': '3' })
    expect(r.findings.map((f) => f.id)).toEqual(['upgrade-failed'])
    expect(r.notes).toContain('model-drift skipped: the replay did not reach head')
    expect(said(r)).toEqual(said(await gate('alembic-upgrade-fails', { python, 'replay-workers': '1' })))
  })

  it('rejects a worker count that is not a whole number from 1 to 32, naming the input', async () => {
    for (const bad of ['0', '-1', '2.5', 'many', '33']) {
      expect(() => readConfig((name) => ({ 'replay-workers': bad })[name])).toThrow(/^replay-workers: /)
    }
  })
})
