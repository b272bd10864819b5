// The job summary over reports from real runs: a failing and a passing stairway on real PostgreSQL,
// a static chain with two heads, and generated projects with hostile text, a 500-revision chain
// and 2,500 findings (GitHub's 1 MiB cap).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import type { GateReport } from '../../src/report.js'
import { planAnnotations } from '../../src/render/annotations.js'
import { md } from '../../src/render/escape.js'
import { renderJson } from '../../src/render/json.js'
import { renderSummary } from '../../src/render/summary.js'
import {
  alembicProject,
  fixtures,
  gateReport,
  hostileRevisions,
  longChain,
  manyMissingParents,
  repoRoot,
} from './render-reports.js'

const blobUrl = 'https://github.com/acme/app/blob/0123456789abcdef0123456789abcdef01234567/'
const reports: Record<string, GateReport> = {}
const cleanups: Array<() => void> = []

beforeAll(async () => {
  const generated = async (name: string, revisions: Parameters<typeof alembicProject>[0]) => {
    const p = alembicProject(revisions)
    cleanups.push(p.remove)
    reports[name] = await gateReport(p.dir, { mode: 'static' })
  }
  const [fail, pass, heads] = await Promise.all([
    gateReport(join(fixtures, 'alembic-enum-residue')),
    gateReport(join(fixtures, 'alembic-clean')),
    gateReport(join(fixtures, 'alembic-chain-two-heads'), { mode: 'static' }),
  ])
  Object.assign(reports, { fail, pass, heads })
  await generated('hostile', hostileRevisions())
  await generated('long', longChain(500))
  await generated('many', manyMissingParents(2500))
}, 240_000)
afterAll(() => cleanups.forEach((c) => c()))

const summary = (name: string) =>
  renderSummary(reports[name]!, {
    rootDir: repoRoot,
    blobUrl,
    annotations: planAnnotations(reports[name]!, { rootDir: repoRoot, reserved: { error: 1 } }),
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
    expect(cells[4]).toBe(`[<code>${md(path)}:13</code>](${blobUrl}${path}#L13)`)
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
      `<summary>fix · ${details.length} details</summary>Fix: Make the downgrade undo everything the upgrade does.` +
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
