// The job summary over reports recorded from real runs (render-reports.ts): a failing and a passing stairway on real PostgreSQL,
// a static chain with two heads, generated projects with hostile text, a 500-revision chain and
// 2,500 findings (GitHub's 1 MiB cap), and pull requests behind their base in real git repositories.
import { describe, expect, it } from 'vitest'
import type { GateReport } from '../../src/report.js'
import { planAnnotations } from '../../src/render/annotations.js'
import { md } from '../../src/render/escape.js'
import { renderJson } from '../../src/render/json.js'
import { renderSummary } from '../../src/render/summary.js'
import { CLEAN_HEAD, HOSTILE, recorded, repoRoot } from './render-reports.js'

const blobUrl = 'https://github.com/acme/app/blob/0123456789abcdef0123456789abcdef01234567/'
const reports: Record<string, GateReport> = {
  fail: recorded('enum-residue-stairway'),
  pass: recorded('clean-stairway'),
  heads: recorded('two-heads-static'),
  hostile: recorded('hostile'),
  long: recorded('long-chain-500'),
  many: recorded('missing-parents-2500'),
  stale: recorded('pr-stale'),
  mergeCheckout: recorded('pr-merge-checkout'),
  ownHeads: recorded('pr-own-heads'),
  sqlStale: recorded('pr-sql-stale'),
  longStale: recorded('pr-long-stale'),
}

const summary = (name: string) => render(reports[name]!)
const render = (report: GateReport) =>
  renderSummary(report, {
    rootDir: repoRoot,
    blobUrl,
    annotations: planAnnotations(report, { rootDir: repoRoot, reserved: { error: 1 } }),
  })

/** The message cell of the first row of a finding id. */
const messageCell = (text: string, id: string) =>
  text
    .split('\n')
    .find((l) => l.startsWith(`| <code>${id}</code>`))!
    .split(' | ')
    .at(-1)!
    .replace(/ \|$/, '')

/** The fenced Mermaid block's lines. */
function mermaid(text: string): string[] {
  const m = /```mermaid\n([\s\S]*?)\n```/.exec(text)
  expect(m).not.toBeNull()
  return m![1]!.split('\n')
}

/** The Mermaid node id drawn for a revision. */
const nodeOf = (lines: string[], revision: string) =>
  /^ {2}(r\d+)\["/.exec(lines.find((l) => l.includes(`["${revision}<br>`)) ?? '')?.[1]

describe('job summary of a failing stairway (alembic-enum-residue, real PostgreSQL)', () => {
  it('says the verdict in the first line', () => {
    expect(summary('fail').split('\n')[0]).toBe('## ❌ migration-gate: fail (1 error)')
  })

  it('has a findings row: id, severity, revision, file:line linked from the repository root, message', () => {
    const text = summary('fail')
    const path = 'test/fixtures/alembic-enum-residue/alembic/versions/32c3ebc38184_create_feedback.py'
    const row = text.split('\n').find((l) => l.includes('downgrade-residue'))!
    const cells = row.split('|').map((c) => c.trim())
    expect(cells).toHaveLength(7)
    expect(cells[1]).toBe('<code>downgrade-residue</code>')
    expect(cells[2]).toBe('❌ error')
    expect(cells[3]).toBe('<code>32c3ebc38184</code>')
    // At `def downgrade()`: the downgrade is what leaves the residue.
    expect(cells[4]).toBe(`[<code>${md(path)}:39</code>](${blobUrl}${path}#L39)`)
    expect(cells[5]).toContain('does not restore the schema')
    expect(cells[5]).toContain('<br>• type mood (enum): present now, absent before')
    expect(cells[5]).toContain('type &#34;mood&#34; already exists')
  })

  it('shows the short message in the row, and folds the fix and the details under it', () => {
    const cell = messageCell(summary('fail'), 'downgrade-residue')
    const [shown, folded] = cell.split(' <details>')
    expect(shown).toBe(
      'Downgrading 32c3ebc38184 (&#34;create feedback&#34;) does not restore the schema it started from (1 difference). ' +
        'A rollback leaves the database in a state no revision describes, and the next upgrade may fail.',
    )
    const details = reports.fail!.findings[0]!.details!
    expect(folded).toBe(
      `<summary>fix · ${details.length} details</summary>Fix: Make the downgrade undo everything the upgrade does; it still needs &#96;DROP TYPE mood&#96;.` +
        details.map((d) => `<br>• ${md(d)}`).join('') +
        '</details>',
    )
  })

  it('draws the chain with the failing revision and the head marked', () => {
    const lines = mermaid(summary('fail'))
    expect(lines[0]).toBe('flowchart TD')
    const bad = nodeOf(lines, '32c3ebc38184')
    const head = nodeOf(lines, '13ef259690e1')
    const base = nodeOf(lines, 'd31e0e17d213')
    expect(lines).toContain(`  class ${bad} error`)
    expect(lines).toContain(`  class ${head} head`)
    expect(lines).toContain(`  ${base} --> ${bad}`)
    expect(lines).toContain(`  ${bad} --> ${head}`)
    expect(lines.find((l) => l.startsWith(`  ${bad}["`))).toContain('#10006; downgrade-residue')
  })

  it('gives per-phase timings and the PostgreSQL provider and version that served', () => {
    const text = summary('fail')
    const r = reports.fail!
    for (const phase of ['static', 'postgres', 'replay'])
      expect(text).toMatch(new RegExp(`^\\| ${phase} \\| \\d+\\.\\d\\d s \\|$`, 'm'))
    expect(text).toMatch(/^\| \*\*total\*\* \| \*\*\d+\.\d\d s\*\* \|$/m)
    expect(text).toContain(`PostgreSQL ${r.postgres!.serverVersion} served, from the local provider`)
    // And the major postgres-version asked for (recorded with any: the machine's PostgreSQL).
    expect(r.postgres!.version).toBe('any')
    expect(text).toMatch(/served, from the local provider \(ready in \d+\.\d\d s; postgres-version: any\)\.$/m)
    expect(text).toMatch(/PostgreSQL 15\.\d+ \(local, ready in \d+\.\d\d s\)/)
  })
})

describe('job summary of a passing stairway (alembic-clean) and a static chain (alembic-chain-two-heads)', () => {
  it('passes without a findings table, the whole chain drawn, the head marked', () => {
    const text = summary('pass')
    expect(text.split('\n')[0]).toBe('## ✅ migration-gate: pass')
    expect(text).not.toContain('### Findings')
    const lines = mermaid(text)
    expect(lines.filter((l) => /^ {2}r\d+\["/.test(l))).toHaveLength(6)
    expect(lines).toContain(`  class ${nodeOf(lines, 'bb86aaac9fb9')} head`)
    expect(lines.some((l) => /^ {2}class r\d+ error/.test(l))).toBe(false)
  })

  it('marks both heads, and says no PostgreSQL was started', () => {
    const text = summary('heads')
    const lines = mermaid(text)
    const twin = nodeOf(lines, 'c4b81e2f7d93')
    expect(lines).toContain(`  class ${twin} error`)
    expect(lines).toContain(`  class ${twin} head`)
    expect(lines).toContain(`  class ${nodeOf(lines, '3a7f9d0e6c12')} head`)
    expect(text).toContain('No PostgreSQL was started')
    expect(text).toContain('heads <code>3a7f9d0e6c12</code>, <code>c4b81e2f7d93</code>')
  })
})

describe("a pull request behind its base: the base's head in the diagram", () => {
  /** The label line of a revision's node. */
  const labelOf = (lines: string[], revision: string) => lines.find((l) => l.includes(`["${revision}<br>`))!

  it("stale-parent, main moved on: main's head drawn though the branch lacks it, on its parent", () => {
    const r = reports.stale!
    expect(r.findings.map((f) => f.id)).toEqual(['stale-parent'])
    expect(r.git).toMatchObject({
      baseHeads: ['1a1a1a1a1a1a'],
      baseRevisions: [{ id: '1a1a1a1a1a1a', parents: [CLEAN_HEAD] }],
    })
    const text = summary('stale')
    const lines = mermaid(text)
    const x = nodeOf(lines, '1a1a1a1a1a1a')
    const y = nodeOf(lines, '2b2b2b2b2b2b')
    const fork = nodeOf(lines, CLEAN_HEAD)
    expect(labelOf(lines, '1a1a1a1a1a1a')).toBe(
      `  ${x}["1a1a1a1a1a1a<br>add x to orgs<br>main head #183; only on main"]`,
    )
    expect(labelOf(lines, '2b2b2b2b2b2b')).toContain('head #183; this change #183; #10006; stale-parent')
    expect(lines).toContain(`  ${fork} --> ${x}`)
    expect(lines).toContain(`  ${fork} --> ${y}`)
    expect(lines).toContain(`  class ${x} basehead`)
    expect(lines).toContain(`  class ${x} baseonly`)
    expect(lines).not.toContain(`  class ${x} head`)
    // The whole chain: the tree's 7 revisions and main's 1.
    expect(lines.filter((l) => /^ {2}r\d+\["/.test(l))).toHaveLength(8)
    expect(text).toContain(
      '_"main head" marks the head of <code>main</code> as it is now (<code>1a1a1a1a1a1a</code>): this change\'s revisions should follow it._',
    )
  })

  it("stale-parent: the row says what is wrong; re-parenting onto main's head is folded under it", () => {
    const cell = messageCell(summary('stale'), 'stale-parent')
    const [shown, folded] = cell.split(' <details>')
    expect(shown).toBe(
      'Revision 2b2b2b2b2b2b builds on bb86aaac9fb9, but main has moved on: bb86aaac9fb9 is followed there by 1a1a1a1a1a1a, ' +
        'and main&#39;s head is now &#39;1a1a1a1a1a1a&#39;. …',
    )
    expect(folded).toMatch(/^<summary>fix · 2 details<\/summary>…Merged as it is, the chain gets a second head: /)
    expect(folded).toContain(
      '<br>Fix: Update the branch from main and set down&#95;revision in alembic/versions/2b2b2b2b2b2b&#95;add&#95;y.py (line 14) to &#39;1a1a1a1a1a1a&#39;',
    )
    expect(folded).toMatch(/<br>• main head: 1a1a1a1a1a1a<\/details>$/)
  })

  it("two heads after the merge (GitHub's merge checkout): main's head is one of the tree's heads, marked as main's", () => {
    const r = reports.mergeCheckout!
    expect(r.findings.map((f) => f.id)).toEqual(['stale-parent'])
    expect(r.chain?.heads.sort()).toEqual(['1a1a1a1a1a1a', '2b2b2b2b2b2b'])
    expect(r.git?.baseHeads).toEqual(['1a1a1a1a1a1a'])
    expect(r.git?.baseRevisions).toBeUndefined()
    const lines = mermaid(summary('mergeCheckout'))
    const x = nodeOf(lines, '1a1a1a1a1a1a')
    expect(labelOf(lines, '1a1a1a1a1a1a')).toBe(`  ${x}["1a1a1a1a1a1a<br>add x to orgs<br>head #183; main head"]`)
    expect(lines).toContain(`  ${nodeOf(lines, CLEAN_HEAD)} --> ${x}`)
    expect(lines).toContain(`  class ${x} head`)
    expect(lines).toContain(`  class ${x} basehead`)
    expect(lines).not.toContain(`  class ${x} baseonly`)
    expect(lines.filter((l) => /^ {2}r\d+\["/.test(l))).toHaveLength(8)
  })

  it("multiple-heads of the PR's own making: main's head (where they fork) marked", () => {
    const r = reports.ownHeads!
    expect(r.findings.map((f) => f.id)).toEqual(['multiple-heads'])
    const lines = mermaid(summary('ownHeads'))
    const fork = nodeOf(lines, CLEAN_HEAD)
    expect(labelOf(lines, CLEAN_HEAD)).toMatch(/<br>main head"\]$/)
    expect(lines).toContain(`  class ${fork} basehead`)
    for (const head of ['2b2b2b2b2b2b', '3c3c3c3c3c3c']) expect(lines).toContain(`  ${fork} --> ${nodeOf(lines, head)}`)
  })

  it("SQL versions: main's latest version drawn after the version before it on main", () => {
    const r = reports.sqlStale!
    expect(r.findings.map((f) => f.id)).toEqual(['stale-parent'])
    expect(r.git?.baseHeads).toEqual(['20240215000000'])
    const text = summary('sqlStale')
    const lines = mermaid(text)
    const latest = nodeOf(lines, '20240215000000')
    expect(labelOf(lines, '20240215000000')).toBe(`  ${latest}["20240215000000<br>main head #183; only on main"]`)
    expect(lines).toContain(`  ${nodeOf(lines, '20240201120000')} --> ${latest}`)
    expect(lines).toContain(`  ${nodeOf(lines, '20240201120000')} --> ${nodeOf(lines, '20240210000000')}`)
    const [shown, folded] = messageCell(text, 'stale-parent').split(' <details>')
    expect(shown).toMatch(/skips it for good\.$/)
    expect(folded).toBe(
      '<summary>fix</summary>Fix: Rename its .up.sql and .down.sql to a version after 20240215000000.</details>',
    )
  })

  it("a long chain cut to the findings' neighbourhood still shows main's head, far from the fork", () => {
    const r = reports.longStale!
    expect(r.findings.map((f) => f.id)).toEqual(['stale-parent'])
    expect(r.git?.baseRevisions?.map((n) => n.id)).toEqual(Array.from({ length: 8 }, (_, i) => `main${7 - i}`))
    const text = summary('longStale')
    const lines = mermaid(text)
    const nodes = lines.filter((l) => /^ {2}r\d+\["/.test(l))
    expect(nodes.length).toBeLessThanOrEqual(40)
    const head = nodeOf(lines, 'main7')
    expect(labelOf(lines, 'main7')).toContain('<br>main head #183; only on main"]')
    expect(lines).toContain(`  class ${head} basehead`)
    expect(lines).toContain(`  ${nodeOf(lines, 'main6')} --> ${head}`)
    expect(nodeOf(lines, 'f00d00000001')).toBeDefined()
    expect(lines).toContain(`  ${nodeOf(lines, 'r0119')} --> ${nodeOf(lines, 'main0')}`)
    // Between the fork's neighbourhood and main's head's, revisions are left out: a gap, not "missing".
    expect(nodeOf(lines, 'main3')).toBeUndefined()
    expect(lines.some((l) => l.includes(':::gap -.-> ' + nodeOf(lines, 'main4')))).toBe(true)
    expect(lines.some((l) => l.includes(':::missing'))).toBe(false)
    expect(text).toContain(`_${nodes.length} of 129 revisions drawn`)
  })

  it('without a base, or without stale-parent or multiple-heads, no base head is drawn', () => {
    expect(summary('heads')).not.toContain('main head')
    const passing = render({ ...reports.stale!, findings: [] })
    expect(passing).not.toContain('main head')
    expect(nodeOf(mermaid(passing), '1a1a1a1a1a1a')).toBeUndefined()
  })

  it('escapes a hostile base name in the labels and the line under the diagram', () => {
    const r = reports.stale!
    const text = render({ ...r, git: { ...r.git!, base: HOSTILE } })
    expect(text).not.toMatch(/<(script|img|b>)/i)
    expect(text).not.toContain('@octocat')
    expect(text.match(/^```/gm)).toHaveLength(2)
    const lines = mermaid(text)
    for (const l of lines.filter((x) => /^ {2}r\d+\["/.test(x))) {
      expect(l.match(/"/g)).toHaveLength(2)
      expect(l.replace(/<br>/g, '')).not.toMatch(/[<>`]/)
    }
    expect(labelOf(lines, '1a1a1a1a1a1a')).toContain(' head #183; only on ')
  })
})

describe('hostile revision ids and messages (<script>, pipes, backticks, quotes, mentions)', () => {
  it('cannot inject HTML, mention anyone, or break the table', () => {
    const text = summary('hostile')
    expect(text).not.toMatch(/<(script|img|b>)/i)
    expect(text).not.toContain('@octocat')
    expect(text).not.toContain('**bold**')
    const rows = text.split('\n').filter((l) => l.startsWith('| <code>'))
    expect(rows.length).toBe(reports.hostile!.findings.length)
    // Every row has exactly the table's 6 pipes: user pipes are entities.
    for (const row of rows) expect(row.match(/\|/g)).toHaveLength(6)
  })

  it('cannot end a Mermaid label or the fenced block', () => {
    const text = summary('hostile')
    expect(text.match(/^```/gm)).toHaveLength(2)
    const lines = mermaid(text)
    for (const l of lines.filter((x) => /^ {2}[rm]\d+\["/.test(x))) {
      expect(l.match(/"/g)).toHaveLength(2)
      expect(l).not.toContain('`')
      expect(l.replace(/<br>/g, '')).not.toMatch(/[<>]/)
    }
    // The parent no file declares is drawn, escaped, as missing.
    expect(
      lines.some((l) => /^ {2}m0\["#60;img src#61;x onerror#61;alert#40;1#41;#62;<br>missing"\]:::missing$/.test(l)),
    ).toBe(true)
  })
})

describe('a long chain and a flood of findings', () => {
  it('draws only the neighbourhood of the findings and heads of a 500-revision chain, and says so', () => {
    const text = summary('long')
    const lines = mermaid(text)
    const nodes = lines.filter((l) => /^ {2}r\d+\["/.test(l))
    expect(nodes.length).toBeLessThanOrEqual(40)
    expect(nodes.length).toBeGreaterThan(5)
    for (const rev of ['r0499', 'branchy', 'r0250']) expect(nodeOf(lines, rev)).toBeDefined()
    expect(nodeOf(lines, 'r0100')).toBeUndefined()
    expect(lines.some((l) => l.includes(':::gap'))).toBe(true)
    expect(text).toContain(`_${nodes.length} of 501 revisions drawn`)
  })

  it('stays under 1 MiB with 2,500 findings, and says what it left out and what was not annotated', () => {
    const text = summary('many')
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(1024 * 1024)
    const rows = text.split('\n').filter((l) => l.startsWith('| <code>missing-parent'))
    const left = Number(/_(\d+) more findings left out to stay under GitHub's 1 MiB summary limit/.exec(text)?.[1])
    expect(left).toBeGreaterThan(0)
    expect(rows.length + left).toBe(2500)
    // 9 error annotations fit beside the step's own failure; the other 2,491 are named.
    expect(text).toContain('so 2491 findings (missing-parent) have no annotation in the diff')
    // The tail survives the cut: diagram and timings.
    expect(text).toContain('### Migration chain')
    expect(text).toContain('### Timings')
  })
})

describe('JSON report', () => {
  it('is the report itself, graph included, one trailing newline', () => {
    const text = renderJson(reports.fail!)
    expect(text.endsWith('}\n')).toBe(true)
    const parsed = JSON.parse(text)
    expect(parsed).toEqual(JSON.parse(JSON.stringify(reports.fail)))
    expect(parsed.graph.nodes).toHaveLength(3)
    expect(parsed.graph.nodes.find((n: { id: string }) => n.id === '32c3ebc38184')).toMatchObject({
      parents: ['d31e0e17d213'],
      message: 'create feedback',
    })
  })
})
