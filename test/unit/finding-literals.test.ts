// The finding-literal check of `npm run lint` (scripts/finding-literals.mjs): outside findings/, a
// Finding built by hand is reported however it is written (typed by its context, `as const`, a
// spread with a field changed); the catalogue's own files, and objects that only look alike, pass.
// src/ itself is checked by the lint, which also shows the passing summary line (a program over
// all of src/ takes seconds; unit tests stay fast).
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const repo = join(import.meta.dirname, '..', '..')
const script = join(repo, 'scripts', 'finding-literals.mjs')
const dir = mkdtempSync(join(tmpdir(), 'mg-finding-literals-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const check = (root: string) => spawnSync(process.execPath, [script, root], { encoding: 'utf8', cwd: root })

/** A source tree with the real report.ts, a catalogue file, and `checks` files as given. */
function tree(name: string, checks: Record<string, string>): string {
  const root = join(dir, name)
  mkdirSync(join(root, 'findings'), { recursive: true })
  mkdirSync(join(root, 'checks'))
  copyFileSync(join(repo, 'src', 'report.ts'), join(root, 'report.ts'))
  writeFileSync(
    join(root, 'findings', 'multiple-heads.ts'),
    "import type { Finding } from '../report.js'\n" +
      "export const heads = (message: string): Finding => ({ id: 'multiple-heads', severity: 'error', message })\n",
  )
  for (const [file, text] of Object.entries(checks)) writeFileSync(join(root, 'checks', file), text)
  return root
}

describe('scripts/finding-literals.mjs', () => {
  // One tree with both kinds (each run builds a type-checked program: seconds, not milliseconds).
  it("reports each finding built outside findings/, at its line, and passes the catalogue's files, its callers and look-alikes", () => {
    const root = tree('mixed', {
      'typed.ts':
        "import type { Finding } from '../report.js'\n" +
        "export const a: Finding[] = [{ id: 'step-timeout', severity: 'error', message: 'x' }]\n",
      'as-const.ts':
        "export const b = () => ({\n  id: 'model-drift' as const,\n  severity: 'warning' as const,\n  message: 'y',\n})\n",
      'spread.ts':
        "import type { Finding } from '../report.js'\n" +
        "export const c = (f: Finding): Finding => ({ ...f, message: 'pre-existing: ' + f.message })\n",
      'caller.ts': "import { heads } from '../findings/multiple-heads.js'\nexport const f = [heads('two heads')]\n",
      'alike.ts':
        "export const step = { id: 'r1', message: 'ok' }\n" +
        "export const input = { name: 'severity', default: 'error' }\n",
    })
    const r = check(root)
    expect(r.status).toBe(1)
    expect(r.stderr.trim().split('\n').sort()).toEqual([
      expect.stringMatching(/as-const\.ts:1 /),
      expect.stringMatching(/spread\.ts:2 /),
      expect.stringMatching(/typed\.ts:2 /),
    ])
  })
})
