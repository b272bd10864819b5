// Suppressions of the dangerous-operation rules: a comment on or above the statement (Python and
// SQL), the lint-allow input; a reason is required, the rule must exist, an unused one is a notice.
// The engine is fed real SQL; the files' texts are what readSource returns.
import { describe, expect, it } from 'vitest'
import { parseLintAllow } from '../../src/lint/config.js'
import { ids, lint, step, WARN } from '../support/lint.js'

const SQL_FILE = 'migrations/1_x.up.sql'
const PY_FILE = 'alembic/versions/a1_add_index.py'

/** A step whose one statement is at `line` of `file`. */
const at = (file: string, line: number, sql = 'CREATE INDEX ix ON orders (a)') => ({
  revision: 'a1',
  file,
  sent: [{ sql, file, line }],
})

describe('suppression comments', () => {
  it('a SQL comment right above the statement accepts it: a notice carrying the reason', async () => {
    const text = [
      '-- migration-gate: allow require-concurrent-index-creation -- small table, 200 rows',
      'CREATE INDEX ix ON orders (a);',
    ].join('\n')
    const r = await lint([at(SQL_FILE, 2)], WARN, { [SQL_FILE]: text })
    const f = r.findings.find((x) => x.id === 'require-concurrent-index-creation')!
    expect(f.severity).toBe('notice')
    expect(f.message).toContain('small table, 200 rows')
    expect(f.message).toContain(`${SQL_FILE}:1`)
    expect(f.fix).toBeUndefined()
    expect(ids(r)).not.toContain('lint-suppression')
  })

  it('a Python comment above the call, through other comment lines, and one on the same line', async () => {
    const text = [
      'def upgrade():',
      '    # migration-gate: allow require-concurrent-index-creation -- settings has 12 rows',
      '    # (built once at install)',
      '    op.create_index("ix", "orders", ["a"])',
      '    op.execute("ALTER TABLE orders RENAME COLUMN a TO b")  # migration-gate: allow renaming-column -- unused column',
    ].join('\n')
    const r = await lint(
      [
        {
          revision: 'a1',
          file: PY_FILE,
          sent: [
            { sql: 'CREATE INDEX ix ON orders (a)', file: PY_FILE, line: 4 },
            { sql: 'ALTER TABLE orders RENAME COLUMN a TO b', file: PY_FILE, line: 5 },
          ],
        },
      ],
      { ...WARN, rules: new Map([['require-timeout-settings', 'off']]) },
      { [PY_FILE]: text },
    )
    expect(r.findings.map((f) => [f.id, f.severity])).toEqual([
      ['require-concurrent-index-creation', 'notice'],
      ['renaming-column', 'notice'],
    ])
  })

  it('a comment separated from the statement by code does not cover it, and is reported unused', async () => {
    const text = [
      '-- migration-gate: allow require-concurrent-index-creation -- small',
      'SELECT 1;',
      'CREATE INDEX ix ON orders (a);',
    ].join('\n')
    const r = await lint([at(SQL_FILE, 3)], WARN, { [SQL_FILE]: text })
    expect(r.findings.find((f) => f.id === 'require-concurrent-index-creation')?.severity).toBe('warning')
    const unused = r.findings.find((f) => f.id === 'lint-suppression')!
    expect(unused).toMatchObject({ severity: 'notice', file: SQL_FILE, line: 1, revision: 'a1' })
  })

  it('a comment without a reason is an error naming file:line, and accepts nothing', async () => {
    const text = ['-- migration-gate: allow require-concurrent-index-creation', 'CREATE INDEX ix ON orders (a);'].join(
      '\n',
    )
    const r = await lint([at(SQL_FILE, 2)], WARN, { [SQL_FILE]: text })
    expect(r.findings.find((f) => f.id === 'require-concurrent-index-creation')?.severity).toBe('warning')
    const bad = r.findings.find((f) => f.id === 'lint-suppression')!
    expect(bad).toMatchObject({ severity: 'error', file: SQL_FILE, line: 1 })
    expect(bad.message).toContain(`${SQL_FILE}:1 gives no reason`)
  })

  it('a comment naming an unknown rule is an error naming it', async () => {
    const text = ['-- migration-gate: allow require-concurent-index -- typo', 'CREATE INDEX ix ON orders (a);'].join(
      '\n',
    )
    const r = await lint([at(SQL_FILE, 2)], WARN, { [SQL_FILE]: text })
    const bad = r.findings.find((f) => f.id === 'lint-suppression')!
    expect(bad.severity).toBe('error')
    expect(bad.message).toContain('require-concurent-index, which is no lint rule')
  })
})

describe('lint-allow', () => {
  it("accepts a revision's rule with the reason, and reports an entry that accepted nothing", async () => {
    const allow = parseLintAllow('a1 require-concurrent-index-creation: lookup table\na1 renaming-column: not needed')
    const r = await lint([at(SQL_FILE, 1)], { ...WARN, allow }, {})
    const f = r.findings.find((x) => x.id === 'require-concurrent-index-creation')!
    expect(f.severity).toBe('notice')
    expect(f.message).toContain('Accepted by lint-allow: lookup table')
    const unused = r.findings.filter((x) => x.id === 'lint-suppression')
    expect(unused).toHaveLength(1)
    expect(unused[0]).toMatchObject({ severity: 'notice', revision: 'a1' })
    expect(unused[0]!.message).toContain('renaming-column')
  })
})

describe('scope and severities', () => {
  it('judges only the given revisions: the others are history', async () => {
    const r = await lint([at(SQL_FILE, 1), { ...at(SQL_FILE, 1), revision: 'b2' }], {
      ...WARN,
      revisions: new Set(['b2']),
    })
    expect(r.findings.map((f) => f.revision)).toEqual(['b2'])
  })

  it('lint: error makes hits errors, a rule set to off is not run, ban-drop-* stay notices', async () => {
    const sql = ['CREATE INDEX ix ON orders (a)', 'ALTER TABLE orders RENAME COLUMN a TO b', 'DROP TABLE old_orders']
    const r = await lint([step(sql)], { ...WARN, level: 'error', rules: new Map([['renaming-column', 'off']]) })
    const severity = (id: string) => r.findings.find((f) => f.id === id)?.severity
    expect(severity('require-concurrent-index-creation')).toBe('error')
    expect(severity('renaming-column')).toBeUndefined()
    expect(severity('ban-drop-table')).toBe('notice')
  })

  it('a statement the parser rejects is a note, the others are still judged', async () => {
    const r = await lint([step(['CREAT INDEX ix ON orders (a)', 'CREATE INDEX ix2 ON orders (b)'])])
    expect(r.notes).toHaveLength(1)
    expect(r.notes[0]).toContain('syntax error')
    expect(r.notes[0]).toContain('migrations/1_x.up.sql:1')
    expect(ids(r)).toContain('require-concurrent-index-creation')
  })
})
