// How the dangerous-operation findings show: the job summary's lock table per flagged revision
// (relation, mode, rewrite yes/no), the statement under the message (summary and terminal), and
// the annotation at the statement's file:line. The report is the engine's output on real SQL.
import { describe, expect, it } from 'vitest'
import { planAnnotations } from '../../src/render/annotations.js'
import { renderSummary } from '../../src/render/summary.js'
import { renderTerminal } from '../../src/render/terminal.js'
import type { GateReport } from '../../src/report.js'
import { lint, observation, step } from '../support/lint.js'

async function report(): Promise<GateReport> {
  const observed = observation(
    [
      ['public.orders', 'AccessExclusiveLock', true],
      ['public.customers', 'ShareRowExclusiveLock', true],
      ['public.audit', 'AccessExclusiveLock', false],
    ],
    { rewritten: ['public.orders'], created: ['public.audit'] },
  )
  const r = await lint([
    step(["SET lock_timeout = '5s'", 'ALTER TABLE orders ALTER COLUMN amount TYPE bigint'], {
      revision: 'a1b2c3',
      observed,
    }),
  ])
  return {
    version: 1,
    result: 'pass',
    tool: 'golang-migrate',
    mode: 'stairway',
    projectDir: '/project',
    steps: [],
    findings: r.findings,
    notes: r.notes,
    lint: { revisions: r.revisions },
    timings: { totalMs: 1000, phases: {} },
  }
}

describe('the lock table', () => {
  it('lists the pre-existing relations the flagged revision locked, with the rewrite', async () => {
    const summary = renderSummary(await report())
    expect(summary).toContain('### Locks taken by flagged revisions')
    expect(summary).toContain('**<code>a1b2c3</code>**')
    expect(summary).toContain('| <code>public.orders</code> | AccessExclusiveLock | **yes** |')
    expect(summary).toContain('| <code>public.customers</code> | ShareRowExclusiveLock | no |')
    expect(summary).not.toContain('public.audit')
    expect(summary).toContain('1 relation the step created left out')
  })

  it('is absent when nothing was flagged', async () => {
    const quiet = { ...(await report()), findings: [], lint: { revisions: [] } }
    expect(renderSummary(quiet)).not.toContain('Locks taken')
  })
})

describe('the statement', () => {
  it('shows under the finding in the summary and the terminal, and the annotation is at its line', async () => {
    const r = await report()
    expect(r.findings.map((f) => f.id)).toEqual(['changing-column-type'])
    expect(renderSummary(r)).toContain('SQL: <code>ALTER TABLE orders ALTER COLUMN amount TYPE bigint</code>')
    expect(renderTerminal(r, { colour: false })).toContain(
      '    SQL: ALTER TABLE orders ALTER COLUMN amount TYPE bigint',
    )
    const [annotation] = planAnnotations(r, { rootDir: '/project' }).annotations
    expect(annotation).toMatchObject({ file: 'migrations/1_x.up.sql', line: 2, severity: 'warning' })
    expect(annotation!.message).toContain('SQL: ALTER TABLE orders ALTER COLUMN amount TYPE bigint')
  })
})
