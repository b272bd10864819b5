// The PostgreSQL parser as shipped: esbuild bundles libpg-query's loader but not its .wasm, so the
// build (scripts/bundle-build.mjs, what makes dist/) must put the .wasm where the loader looks. Bundled
// with that very build into a directory outside the repository (no node_modules above it) and run
// there with node; and the parser is not loaded by a run with nothing to judge.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { LINT_OFF } from '../../src/lint/config.js'
import { lintSteps } from '../../src/lint/engine.js'
import { parserRequested } from '../../src/lint/parser.js'
import { step, WARN } from '../support/lint.js'

const out = mkdtempSync(join(tmpdir(), 'mg-lint-bundle-'))
afterAll(() => rmSync(out, { recursive: true, force: true }))

describe('the bundled parser', () => {
  it('runs from a directory without node_modules, the .wasm beside its chunk', async () => {
    const { bundleTo } = await import('../../scripts/bundle-build.mjs')
    await bundleTo(out, { probe: join(import.meta.dirname, '..', 'support', 'lint-parse-probe.ts') })
    expect(existsSync(join(out, 'node_modules'))).toBe(false)
    // The loader is in a chunk of its own (a dynamic import), the .wasm beside it.
    expect(readdirSync(join(out, 'chunks'))).toContain('libpg-query.wasm')
    const printed = execFileSync(process.execPath, [join(out, 'probe.js')], { cwd: out, encoding: 'utf8' })
    expect(JSON.parse(printed)).toEqual(['IndexStmt', 'RenameStmt'])
  })
})

describe('loading the parser lazily', () => {
  it('lint off, or no statement to judge: the parser is never loaded', async () => {
    // This file's other test loads the bundled copy in a child process, never this process's.
    expect(await lintSteps([step(['CREATE INDEX ix ON orders (a)'])], LINT_OFF, () => undefined)).toEqual({
      findings: [],
      notes: [],
      revisions: [],
    })
    expect(await lintSteps([step([])], WARN, () => undefined)).toEqual({ findings: [], notes: [], revisions: [] })
    expect(
      await lintSteps(
        [step(['CREATE INDEX ix ON orders (a)'])],
        { ...WARN, revisions: new Set(['other']) },
        () => undefined,
      ),
    ).toEqual({ findings: [], notes: [], revisions: [] })
    expect(parserRequested()).toBe(false)
    // And something to judge does load it.
    const judged = await lintSteps([step(['CREATE INDEX ix ON orders (a)'])], WARN, () => undefined)
    expect(judged.findings.map((f) => f.id)).toContain('require-concurrent-index-creation')
    expect(parserRequested()).toBe(true)
  })
})
