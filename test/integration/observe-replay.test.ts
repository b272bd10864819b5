// The replay asks for observations through ReplayContext.observe (here the internal switch
// MIGRATION_GATE_OBSERVE_STEPS=all, which the bench uses too): every wrapper between the replay and
// the session (the watches, the slice runs) passes the option through, only each revision's first
// upgrade is observed, and the report's steps carry what it saw. With lint off, no step carries anything.
import { afterEach, describe, expect, it } from 'vitest'
import type { GateReport } from '../../src/report.js'
import { gateOnFixture } from '../support/run-gate.js'

afterEach(() => {
  delete process.env.MIGRATION_GATE_OBSERVE_STEPS
})

const observedSteps = (report: GateReport) =>
  report.steps.filter((s) => s.sent !== undefined || s.observed !== undefined)

describe('observed steps in the replay', () => {
  it('stairway (SQL): the first upgrade of every revision, and nothing else', async () => {
    process.env.MIGRATION_GATE_OBSERVE_STEPS = 'all'
    const report = await gateOnFixture('sql-golang-observe', { tool: 'sql' })
    expect(report.findings.map((f) => f.id)).toEqual([])
    const observed = observedSteps(report)
    expect(observed.map((s) => `${s.revision} ${s.phase}`)).toEqual(
      ['1', '2', '3', '4', '5', '6'].map((r) => `${r} first`),
    )
    const widen = observed.find((s) => s.revision === '2')
    expect(widen?.observed?.rewritten).toEqual(['public.accounts', 'public.accounts_pkey'])
    expect(widen?.sent?.[0]).toMatchObject({ file: 'migrations/2_widen_balance.up.sql', line: 2 })
  })

  it('roundtrip (Alembic): the first upgrades, not the upgrades after the way down', async () => {
    process.env.MIGRATION_GATE_OBSERVE_STEPS = 'all'
    const report = await gateOnFixture('alembic-observe', { mode: 'roundtrip' })
    expect(report.findings.map((f) => f.id)).toEqual([])
    expect(observedSteps(report).map((s) => `${s.revision} ${s.phase}`)).toEqual(
      ['a1000001', 'a1000002', 'a1000003', 'a1000004', 'a1000005', 'a1000006'].map((r) => `${r} first`),
    )
    expect(report.steps.filter((s) => s.phase === 're')).toHaveLength(6)
    const widen = report.steps.find((s) => s.revision === 'a1000002' && s.phase === 'first')
    expect(widen?.observed?.rewritten).toContain('public.accounts')
  })

  it('with lint off observes nothing', async () => {
    const report = await gateOnFixture('sql-golang-observe', { tool: 'sql', lint: 'off' })
    expect(report.steps.length).toBeGreaterThan(0)
    expect(observedSteps(report)).toEqual([])
  })
})
