// scripts/lint-tests.mjs, run as `npm run lint` runs it, on snippets it must reject and snippets it
// must let through: a lint that found nothing would pass silently, like the tests it guards against.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const repoRoot = join(import.meta.dirname, '..', '..')
const SCRIPT = join(repoRoot, 'scripts', 'lint-tests.mjs')
let dir: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mg-lint-tests-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Writes the files into a directory of their own and runs the lint on it. */
function lint(files: Record<string, string>): { status: number | null; lines: string[] } {
  const root = mkdtempSync(join(dir, 'case-'))
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, name), text)
  const r = spawnSync(process.execPath, [SCRIPT, root], { cwd: root, encoding: 'utf8', timeout: 60_000 })
  return { status: r.status, lines: `${r.stdout}${r.stderr}`.split('\n').filter(Boolean) }
}

/** "file:line: rule" of each finding. */
const where = (lines: string[]) =>
  lines
    .filter((l) => !l.startsWith('lint-tests:'))
    .map((l) => l.replace(/^(.*?):(\d+):\d+: ([\w-]+): .*$/, '$1:$2: $3'))

describe('lint-tests', () => {
  it('reports an if-guarded bare return in a test body, at file:line, and exits 1', () => {
    const r = lint({
      'env.test.ts': [
        "it('needs a tool', async () => {",
        '  if (!process.env.TOOL) return',
        '  expect(await run()).toBe(0)',
        '})',
        "test.each([1, 2])('case %s', (n) => {",
        '  if (!hasTool) {',
        "    console.log('skipped')",
        '    return',
        '  }',
        '  expect(n).toBeGreaterThan(0)',
        '})',
        "it.for(['a'])('row %s', async function (row, ctx) {",
        '  try {',
        '    if (row === skipMe) return;',
        '  } finally {}',
        '})',
        "it.concurrent.skipIf(false)('modifiers', { timeout: 5 }, () => {",
        '  if (python === undefined) return',
        '})',
      ].join('\n'),
    })
    expect(r.status).toBe(1)
    expect(where(r.lines)).toEqual([
      'env.test.ts:2: early-return',
      'env.test.ts:8: early-return',
      'env.test.ts:14: early-return',
      'env.test.ts:18: early-return',
    ])
    expect(r.lines.at(-1)).toBe('lint-tests: 4 findings in 1 files')
  })

  it('reports expect(x).toEqual(x) with textually identical sides, whatever the layout', () => {
    const r = lint({
      'same.test.ts': [
        "it('compares', async () => {",
        '  expect(normalize(rows)).toEqual(normalize(rows))',
        '  expect(a.b).toBe(a.b)',
        '  expect.soft(f(x, y)).toStrictEqual(',
        '    f(x,  y,), // a comment',
        '  )',
        '})',
      ].join('\n'),
    })
    expect(r.status).toBe(1)
    expect(where(r.lines)).toEqual([
      'same.test.ts:2: self-compare',
      'same.test.ts:3: self-compare',
      'same.test.ts:4: self-compare',
    ])
    expect(r.lines[0]).toContain('expect(normalize(rows)).toEqual(...) compares an expression with itself')
  })

  it('lets through skips, returns that do not end a test, and comparisons of different things', () => {
    const r = lint({
      'good.test.ts': [
        "describe('suite', () => {",
        '  if (skip) {',
        "    it.skip('skipped: no tool', () => {})",
        '    return',
        '  }',
        '  beforeAll(() => {',
        '    if (!python) return',
        '  })',
        "  it('skips through its context', async (ctx) => {",
        "    if (!python) ctx.skip('no python')",
        '    const pick = (xs: number[]) => {',
        '      for (const x of xs) if (x > 1) return x',
        '      return 0',
        '    }',
        '    expect(pick([1, 2])).toBe(2)',
        '    expect(normalize(rows)).toEqual(normalize(otherRows))',
        '    expect(a).not.toEqual(b)',
        '    expect(x).toMatchObject(y)',
        '    return',
        '  })',
        '})',
        'function helper() {',
        '  if (done) return',
        '}',
      ].join('\n'),
    })
    expect(r.lines).toEqual(['lint-tests: 1 files, no early return in a test body, no self-comparison'])
    expect(r.status).toBe(0)
  })

  it("passes on the repository's own tests", () => {
    const r = spawnSync(process.execPath, [SCRIPT], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 })
    expect(r.stdout).toMatch(/^lint-tests: \d+ files, no early return/)
    expect(r.status).toBe(0)
  })
})
