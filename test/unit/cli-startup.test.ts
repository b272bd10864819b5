// `migration-gate --version` and `--help` answer without loading the gate: the bundled CLI's static
// imports (what Node loads before the first line runs) hold neither the PostgreSQL client nor the
// gate, which come in only through the check's dynamic import. Read from the committed dist/, which
// CI rebuilds and compares byte for byte.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const dist = join(import.meta.dirname, '..', '..', 'dist')

/** Every file the module at `file` loads before it runs: its static imports, transitively. */
function staticClosure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen
  seen.add(file)
  const text = readFileSync(file, 'utf8')
  // Static imports only: `import ... from "./x.js"` and bare `import "./x.js"`, not `import("./x.js")`.
  for (const m of text.matchAll(/^\s*(?:import|export)\s[^;()]*?["'](\.{1,2}\/[^"']+)["']/gm)) {
    staticClosure(resolve(dirname(file), m[1] as string), seen)
  }
  return seen
}

describe('the bundled CLI at start', () => {
  it('loads neither the PostgreSQL client nor the gate for --version and --help', () => {
    const loaded = [...staticClosure(join(dist, 'cli.js'))]
    const text = loaded.map((f) => readFileSync(f, 'utf8')).join('\n')
    expect(text).not.toContain('// node_modules/pg/lib/')
    expect(text).not.toContain('// src/gate.ts')
    // The gate is in the bundle all the same, behind the check's dynamic import.
    expect(readFileSync(join(dist, 'cli.js'), 'utf8')).toMatch(/import\("\.\/chunks\/cli-check-[A-Z0-9]+\.js"\)/)
  })

  it('still answers --version', () => {
    const r = spawnSync(process.execPath, [join(dist, 'cli.js'), '--version'], { encoding: 'utf8' })
    const pkg = JSON.parse(readFileSync(join(dist, '..', 'package.json'), 'utf8')) as { version: string }
    expect(r.status).toBe(0)
    expect(r.stdout.trim()).toBe(pkg.version)
  })
})
