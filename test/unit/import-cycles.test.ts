// The import-cycle check of `npm run lint` (scripts/import-cycles.mjs): it must find a cycle made of
// type-only imports, and find none in src/.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const script = join(import.meta.dirname, '..', '..', 'scripts', 'import-cycles.mjs')
const dir = mkdtempSync(join(tmpdir(), 'mg-import-cycles-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const check = (...args: string[]) => spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' })

describe('scripts/import-cycles.mjs', () => {
  it('reports a cycle made of type-only imports, naming its modules', () => {
    writeFileSync(
      join(dir, 'contract.ts'),
      "import type { Wording } from './check.js'\nexport interface Driver { w: Wording }\n",
    )
    writeFileSync(
      join(dir, 'check.ts'),
      "import type { Driver } from './contract.js'\nexport interface Wording { d?: Driver }\n",
    )
    writeFileSync(join(dir, 'leaf.ts'), "import type { Driver } from './contract.js'\nexport type D = Driver\n")
    const r = check(dir)
    expect(r.status).toBe(1)
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^import cycle: .*check\.ts <-> .*contract\.ts$/),
    ])
  })

  it('finds none in src/', () => {
    const r = check()
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/^import-cycles: \d+ modules, no import cycle$/m)
  })
})
