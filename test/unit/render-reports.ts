// Reports for the renderer tests, from real runs: runGate over the fixtures (a real PostgreSQL, the
// Alembic that /usr/bin/python3 imports), and over Alembic projects generated here for what no
// fixture has: hostile revision ids and messages, a 500-revision chain, thousands of findings.
// Not a test file itself (no .test.ts): each renderer test imports what it needs.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runGate } from '../../src/gate.js'
import { readConfig } from '../../src/inputs.js'
import { silentLogger } from '../../src/logger.js'
import type { GateReport } from '../../src/report.js'
import { pythonWithAlembic } from '../support/python.js'

export const fixtures = join(import.meta.dirname, '..', 'fixtures')
export const repoRoot = join(import.meta.dirname, '..', '..')

/** runGate over a directory, with local PostgreSQL binaries and the Alembic this machine has. */
export async function gateReport(projectDir: string, inputs: Record<string, string> = {}): Promise<GateReport> {
  const python = await pythonWithAlembic()
  const all: Record<string, string> = { 'working-directory': projectDir, postgres: 'local', python, ...inputs }
  return runGate(
    readConfig((name) => all[name]),
    { logger: silentLogger },
  )
}

export interface Revision {
  id: string
  parents: string[]
  message: string
}

/** A Python string literal for any text (JSON's escapes are valid Python for these characters). */
const py = (s: string) => JSON.stringify(s)

/**
 * An Alembic project as `alembic init` + `alembic revision` would write it, with the given revisions
 * (file names from the index, so any id or message is fine). Static mode reads it without Python.
 */
export function alembicProject(revisions: Revision[]): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'mg-render-project-'))
  const versions = join(dir, 'migrations', 'versions')
  mkdirSync(versions, { recursive: true })
  writeFileSync(join(dir, 'alembic.ini'), '[alembic]\nscript_location = migrations\n')
  writeFileSync(join(dir, 'migrations', 'env.py'), 'raise SystemExit("static tests never run env.py")\n')
  writeFileSync(join(dir, 'migrations', 'script.py.mako'), '')
  revisions.forEach((r, i) => {
    const down =
      r.parents.length === 0 ? 'None' : r.parents.length === 1 ? py(r.parents[0]!) : `(${r.parents.map(py).join(', ')})`
    writeFileSync(
      join(versions, `${String(i).padStart(4, '0')}_revision.py`),
      [
        `"""${r.message.replace(/\\/g, '\\\\').replace(/"""/g, '\\"\\"\\"')}`,
        '',
        `Revision ID: ${r.id}`,
        '"""',
        'from alembic import op',
        '',
        `revision = ${py(r.id)}`,
        `down_revision = ${down}`,
        'branch_labels = None',
        'depends_on = None',
        '',
        '',
        'def upgrade():',
        '    pass',
        '',
        '',
        'def downgrade():',
        '    pass',
        '',
      ].join('\n'),
    )
  })
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

/** Text that breaks Markdown, HTML and Mermaid if anything is left unescaped. */
export const HOSTILE =
  '<script>alert(1)</script> | pipe `tick` ```fence **bold** _em_ [link](javascript:alert(1)) @octocat #1 $x$ "]-->evil["'

/** Two heads and a missing parent, every id and message hostile. */
export function hostileRevisions(): Revision[] {
  return [
    { id: 'base', parents: [], message: `base ${HOSTILE}` },
    { id: 'x"]<b>|`', parents: ['base'], message: `one head ${HOSTILE}` },
    { id: 'other', parents: ['base'], message: `other head ${HOSTILE}` },
    { id: 'orphan', parents: ['<img src=x onerror=alert(1)>'], message: `orphan ${HOSTILE}` },
  ]
}

/** A linear chain of `n` revisions with a second head branching off in the middle. */
export function longChain(n: number): Revision[] {
  const id = (i: number) => `r${String(i).padStart(4, '0')}`
  const list: Revision[] = Array.from({ length: n }, (_, i) => ({
    id: id(i),
    parents: i === 0 ? [] : [id(i - 1)],
    message: `step ${i}`,
  }))
  const mid = Math.floor(n / 2)
  list.push({ id: 'branchy', parents: [id(mid)], message: 'a second head in the middle' })
  return list
}

/** `n` revisions whose parents do not exist: one missing-parent finding each, long messages. */
export function manyMissingParents(n: number): Revision[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `m${i}`,
    parents: [`gone${i}`],
    message: `revision ${i} ${HOSTILE}`,
  }))
}
