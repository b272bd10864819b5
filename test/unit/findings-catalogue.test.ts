// The findings catalogue (src/findings/): one file per id, named after it, holding its entry; the
// catalogue lists every id once; the tables in README.md and docs/report.md are the ones the
// catalogue generates (`npm run action-yml` rewrites them).
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CATALOGUE, ENTRIES } from '../../src/findings/catalogue.js'
import {
  README_FINDINGS,
  REPORT_FINDINGS,
  renderReadmeFindings,
  renderReportFindings,
  withTable,
} from '../../scripts/findings-tables.js'

const repo = join(import.meta.dirname, '..', '..')
const dir = join(repo, 'src', 'findings')
/** The files that are not one finding's: the entry type, the catalogue, what happens after building, the lint findings' shared constructor. */
const SHARED = ['catalogue.ts', 'entry.ts', 'transform.ts', 'lint-rule.ts']

describe('src/findings/', () => {
  it('has one file per id, named after it, whose entry carries that id', async () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !SHARED.includes(f))
    expect(files.map((f) => f.replace(/\.ts$/, '')).sort()).toEqual(Object.keys(CATALOGUE).sort())
    for (const file of files) {
      const module = (await import(join(dir, file))) as Record<string, unknown>
      const entries = Object.values(module).filter(
        (v): v is { id: string } => typeof v === 'object' && v !== null && 'happened' in v,
      )
      expect(
        entries.map((e) => e.id),
        file,
      ).toEqual([file.replace(/\.ts$/, '')])
    }
  })

  it('gives every entry its key as id, a usual severity and both table sentences', () => {
    for (const [id, e] of Object.entries(CATALOGUE)) {
      expect(e.id).toBe(id)
      expect(['error', 'warning', 'notice']).toContain(e.severity)
      expect(e.happened.trim(), id).not.toBe('')
      expect(e.seen.trim(), id).not.toBe('')
    }
    expect(new Set(ENTRIES.map((e) => e.id)).size).toBe(ENTRIES.length)
  })

  it('leaves the words to the catalogue: no other file under src/ writes "Fix:" into a message', () => {
    const walk = (d: string): string[] =>
      readdirSync(d, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith('.ts') ? [join(d, e.name)] : [],
      )
    const offenders = walk(join(repo, 'src'))
      .filter((f) => !f.startsWith(dir) && !f.includes(join('src', 'render')))
      .filter((f) => /Fix: /.test(readFileSync(f, 'utf8')))
    expect(offenders).toEqual([])
  })
})

describe('the generated tables', () => {
  it("README.md's findings table is the catalogue's, a row per id", () => {
    const readme = readFileSync(join(repo, 'README.md'), 'utf8')
    expect(withTable(readme, README_FINDINGS, 'README.md')).toBe(readme)
    for (const id of Object.keys(CATALOGUE)) expect(renderReadmeFindings()).toContain(`| \`${id}\` |`)
  })

  it("docs/report.md's table of ids is the catalogue's", () => {
    const doc = readFileSync(join(repo, 'docs', 'report.md'), 'utf8')
    expect(withTable(doc, REPORT_FINDINGS, 'docs/report.md')).toBe(doc)
    expect(renderReportFindings().split('\n')).toHaveLength(ENTRIES.length + 2)
  })

  it('a file without the markers is an error naming it', () => {
    expect(() => withTable('# no table here', README_FINDINGS, 'README.md')).toThrow(
      'README.md lacks the findings markers',
    )
  })
})
