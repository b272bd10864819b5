// No renderer prints megabytes: whatever a check or a driver puts in a report (a migration's
// megabyte of error text, thousands of detail lines), the terminal, the JSON report, annotations, the
// job summary and the PR comment show each message, fix, detail, note and step error bounded, with
// both ends of a long text kept.
import { beforeAll, describe, expect, it } from 'vitest'
import { clipMiddle } from '../../src/clip.js'
import type { GateReport } from '../../src/report.js'
import { planAnnotations } from '../../src/render/annotations.js'
import { renderComment } from '../../src/render/comment.js'
import { renderJson } from '../../src/render/json.js'
import { renderSummary } from '../../src/render/summary.js'
import { renderTerminal } from '../../src/render/terminal.js'
import { recorded, repoRoot } from './render-reports.js'

const HUGE = `start of it ${'y'.repeat(1_000_000)} end of it`
let huge: GateReport

beforeAll(() => {
  // A real report (static: no database needed), then one finding, note and step as a runaway check would make them.
  const report = recorded('sql-golang-chain-static')
  huge = {
    ...report,
    notes: [...report.notes, `a note: ${HUGE}`],
    steps: [{ revision: '2', direction: 'upgrade', phase: 'first', ms: 1, ok: false, error: HUGE }],
    findings: [
      ...report.findings,
      {
        id: 'upgrade-failed',
        severity: 'error',
        message: `Upgrading to 2 fails: ${HUGE}. A deploy running this migration would stop here; fix the upgrade.`,
        fix: `Do this: ${HUGE}`,
        revision: `2${'9'.repeat(100_000)}`,
        file: 'migrations/2_create_orgs.up.sql',
        line: 1,
        details: [HUGE, ...Array.from({ length: 5000 }, (_, i) => `detail ${i}`)],
      },
    ],
  }
})

describe('bounded rendering', () => {
  it('the terminal shows the message and a detail by both ends, and says how many detail lines were left out', () => {
    const out = renderTerminal(huge, { colour: false })
    expect(out.length).toBeLessThan(20_000)
    expect(out).toMatch(/Upgrading to 2 fails: start of it y+ \.\.\. \[\d+ characters left out\] \.\.\. y+ end of it\./)
    expect(out).toMatch(/- start of it y+ \.\.\. \[\d+ characters left out\] \.\.\. y+ end of it\n/)
    expect(out).toMatch(/- … 4\d{3} more detail lines left out/)
    expect(out).toContain('end of it.')
  })

  it('the JSON report bounds every finding field, note and step error, and stays valid JSON', () => {
    const json = renderJson(huge)
    expect(json.length).toBeLessThan(60_000)
    const back = JSON.parse(json) as GateReport
    const f = back.findings.at(-1)!
    expect(f.message.length).toBeLessThanOrEqual(4000)
    expect(f.message).toMatch(/; fix the upgrade\.$/) // the end, where the fix is, is kept
    expect(f.fix!.length).toBeLessThanOrEqual(2000)
    expect(f.revision!.length).toBeLessThanOrEqual(200)
    expect(Math.max(...f.details!.map((d) => d.length))).toBeLessThanOrEqual(1000)
    expect(back.notes.at(-1)!.length).toBeLessThanOrEqual(2000)
    expect(back.steps[0]!.error!.length).toBeLessThanOrEqual(1000)
    // What was already short is untouched.
    expect(back.findings.slice(0, -1)).toEqual(huge.findings.slice(0, -1))
  })

  it('annotations, the job summary and the PR comment stay small too', () => {
    const plan = planAnnotations(huge, { rootDir: repoRoot })
    expect(Math.max(...plan.annotations.map((a) => a.message.length + a.title.length))).toBeLessThan(20_000)
    expect(renderSummary(huge).length).toBeLessThan(60_000)
    expect(renderComment(huge).length).toBeLessThan(60_000)
  })

  it('clips by code points within the limit, never cutting a character in half, and leaves short text alone', () => {
    const text = '😀'.repeat(5000)
    const clipped = clipMiddle(text, 600)
    expect(Array.from(clipped).length).toBeLessThanOrEqual(600)
    expect(clipped).toMatch(/^(😀)+ \.\.\. \[\d+ characters left out\] \.\.\. (😀)+$/u)
    expect(clipMiddle('short', 600)).toBe('short')
  })
})
