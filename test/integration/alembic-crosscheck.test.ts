// The static reading against Alembic's own (ScriptDirectory.get_heads()) on real projects, with the
// distro's Alembic (Debian's 1.8 through /usr/bin/python3) and with a newer one (>= 1.13, from
// MIGRATION_GATE_NEW_ALEMBIC_PYTHON or a venv pip builds: test/support/newer-alembic.ts).
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest'
import { checkChain } from '../../src/checks/chain.js'
import { heads } from '../../src/checks/topo.js'
import { readAlembicConfig } from '../../src/drivers/alembic/config.js'
import { crossCheckHeads } from '../../src/drivers/alembic/crosscheck.js'
import { readAlembicGraph } from '../../src/drivers/alembic/graph.js'
import { alembicWording } from '../../src/drivers/alembic/wording.js'
import { newerAlembicPython } from '../support/newer-alembic.js'
import { pythonWithAlembic } from '../support/python.js'
import { runGate } from '../../src/gate.js'
import { readConfig } from '../../src/inputs.js'
import { silentLogger } from '../../src/logger.js'
import { ResourceTracker } from '../../src/resource-tracker.js'

/** What this file's servers and processes are tracked by, as a run's are by its own. */
const resources = new ResourceTracker()

const FIXTURES = path.resolve(__dirname, '../fixtures')
// Fixtures Alembic loads (heads must match) and fixtures it refuses (the static side says why).
const LOADABLE = [
  'alembic-chain-branch-merge',
  'alembic-chain-modern',
  'alembic-chain-labels',
  'alembic-chain-two-heads',
  'alembic-chain-duplicate',
  'flask-migrate-app',
]
const REFUSED = ['alembic-chain-missing-parent', 'alembic-chain-cycle', 'alembic-chain-unparseable']

async function crossCheck(python: string, projectDir: string) {
  const config = readAlembicConfig(projectDir)
  const graph = await readAlembicGraph(config)
  const staticHeads = heads(graph)
  const staticFindings = [...graph.problems, ...checkChain(graph, alembicWording)]
  return { staticHeads, result: await crossCheckHeads({ python, config, staticHeads, staticFindings, resources }) }
}

/** The interpreter, or why there is none here (the tests then count as skipped, with that reason). */
type Found = { python: string } | { skip: string }

const interpreters: [string, () => Promise<Found>][] = [
  ['the distro’s Alembic', async () => ({ python: await pythonWithAlembic() })],
  [
    'a newer Alembic',
    async () => {
      const newer = newerAlembicPython()
      return 'python' in newer ? { python: newer.python } : { skip: newer.skip }
    },
  ],
]

describe.each(interpreters)('crossCheckHeads with %s', (name, find) => {
  let found: Found
  beforeAll(async () => {
    found = await find()
    if ('skip' in found) console.log(`crossCheckHeads with ${name} skipped: ${found.skip}`)
  })
  const pythonOr = (ctx: TestContext): string => ('python' in found ? found.python : ctx.skip(found.skip))

  it.for(LOADABLE.filter((f) => existsSync(path.join(FIXTURES, f))))(
    'agrees on the heads of %s',
    async (fixture, ctx) => {
      const { staticHeads, result } = await crossCheck(pythonOr(ctx), path.join(FIXTURES, fixture))
      expect(result.reason).toBeUndefined()
      expect(result.findings).toEqual([])
      expect(result.alembicHeads).toEqual([...new Set(staticHeads)].sort())
      expect(result.alembicVersion).toMatch(/^1\.\d+/)
    },
  )

  it.for(REFUSED)('agrees that Alembic cannot load %s', async (fixture, ctx) => {
    const { result } = await crossCheck(pythonOr(ctx), path.join(FIXTURES, fixture))
    expect(result.reason).toBeUndefined()
    expect(result.alembicHeads).toBeUndefined()
    expect(result.findings).toEqual([])
  })
})

describe('crossCheckHeads: disagreements and no answer', () => {
  let python: string
  let dir: string
  beforeAll(async () => {
    python = await pythonWithAlembic()
    dir = mkdtempSync(path.join(tmpdir(), 'mg-crosscheck-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  function project(name: string, files: Record<string, string>): string {
    const root = path.join(dir, name)
    const all = { 'alembic.ini': '[alembic]\nscript_location = alembic\n', 'alembic/env.py': '', ...files }
    for (const [rel, text] of Object.entries(all)) {
      mkdirSync(path.dirname(path.join(root, rel)), { recursive: true })
      writeFileSync(path.join(root, rel), text)
    }
    return root
  }
  const base = `"""create users\n"""\nrevision = 'a1b2c3d4e5f6'\ndown_revision = None\n`

  it('fails when Alembic cannot load a file the static reading found nothing wrong with', async () => {
    const root = project('syntax', {
      'alembic/versions/a1_users.py': base,
      // Tokens and indentation are fine, Python's grammar is not (the static reading only tokenizes).
      'alembic/versions/b2_broken.py': `revision = 'b2c3d4e5f6a1'\ndown_revision = 'a1b2c3d4e5f6'\n\ndef upgrade() -> None:\n    rows = = 1\n`,
    })
    const { result } = await crossCheck(python, root)
    expect(result.findings).toHaveLength(1)
    // At the line Python's parser stopped on, in the file Alembic was loading.
    expect(result.findings[0]).toMatchObject({
      id: 'tool-disagreement',
      severity: 'error',
      file: 'alembic/versions/b2_broken.py',
      line: 5,
    })
    expect(result.findings[0]?.message).toMatch(
      /cannot load the revisions outside env\.py \(SyntaxError: .*\), nor inside env\.py run offline \(.*\), but the static reading found nothing that breaks it \(heads: b2c3d4e5f6a1\)/,
    )
  })

  it('warns when the static reading calls a file broken that Alembic loads', async () => {
    // Assignments inside a module-level `if` bind module attributes: Python reads them, the static reading does not.
    const root = project('conditional', {
      'alembic/versions/a1_users.py': base,
      'alembic/versions/b2_conditional.py': `import os\nif os.environ.get("NEVER_SET_X") is None:\n    revision = 'b2c3d4e5f6a1'\n    down_revision = 'a1b2c3d4e5f6'\n`,
    })
    const { result } = await crossCheck(python, root)
    expect(result.alembicHeads).toEqual(['b2c3d4e5f6a1'])
    expect(result.findings).toHaveLength(1)
    expect(result.findings[0]?.message).toContain('Alembic')
    expect(result.findings[0]?.message).toContain('sees heads b2c3d4e5f6a1; the static reading sees a1b2c3d4e5f6.')
    expect(result.findings[0]?.message).toContain('unparseable-migration in alembic/versions/b2_conditional.py')
  })

  it('stays quiet when only the gate cannot read a file (a computed id Alembic loads)', async () => {
    const root = project('computed', {
      'alembic/versions/a1_users.py': base,
      'alembic/versions/b2_computed.py': `PARENT = 'a1b2c3d4e5f6'\nrevision = 'b2c3d4e5f6a1'\ndown_revision = PARENT\n`,
    })
    const { result } = await crossCheck(python, root)
    expect(result.alembicHeads).toEqual(['b2c3d4e5f6a1'])
    expect(result.findings).toEqual([])
  })

  it('gives a reason, not a finding, when the interpreter cannot import alembic or does not exist', async () => {
    const root = project('plain', { 'alembic/versions/a1_users.py': base })
    // The same interpreter without site-packages cannot see Debian's alembic.
    const noSite = path.join(dir, 'python-no-site')
    writeFileSync(noSite, `#!/bin/sh\nexec ${python} -S "$@"\n`)
    chmodSync(noSite, 0o755)
    const without = await crossCheck(noSite, root)
    expect(without.result.findings).toEqual([])
    expect(without.result.reason).toMatch(/cannot import alembic \(ModuleNotFoundError: No module named 'alembic'\)/)
    const missing = await crossCheck(path.join(dir, 'no-such-python'), root)
    expect(missing.result).toMatchObject({ findings: [], reason: `${path.join(dir, 'no-such-python')}: not found` })
  })
})

// A chain the tool cannot load fails every deploy: the gate must not pass it with a warning. Only a
// replay that runs steps through the tool shows it loads after all (online, where env.py connects).
describe('a chain Alembic cannot load, judged by the whole gate', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'mg-crosscheck-gate-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  const gate = async (project: string, mode: string) => {
    const inputs: Record<string, string> = {
      'working-directory': project,
      mode,
      postgres: 'local',
      python: await pythonWithAlembic(),
    }
    return runGate(
      readConfig((name) => inputs[name]),
      { logger: silentLogger },
    )
  }

  it('script_location = / is refused up front, in one line naming the setting', async () => {
    const root = path.join(dir, 'root-location')
    cpSync(path.join(FIXTURES, 'alembic-clean'), root, { recursive: true })
    const ini = path.join(root, 'alembic.ini')
    writeFileSync(ini, readFileSync(ini, 'utf8').replace(/^script_location = .*$/m, 'script_location = /'))
    for (const mode of ['static', 'stairway']) {
      await expect(gate(root, mode)).rejects.toThrow(
        /^working-directory: script_location \/ in alembic\.ini: \/ holds neither env\.py nor versions\//,
      )
    }
  })

  it('a versions directory Alembic cannot list fails: an error, not a pass with a warning', async () => {
    const root = path.join(dir, 'versions-gone')
    cpSync(path.join(FIXTURES, 'alembic-clean'), root, { recursive: true })
    rmSync(path.join(root, 'alembic', 'versions'), { recursive: true })
    const report = await gate(root, 'static')
    expect(report.result).toBe('fail')
    expect(report.findings.map((f) => `${f.id} ${f.severity}`)).toEqual(['tool-disagreement error'])
    expect(report.findings[0]?.message).toMatch(/cannot load the revisions outside env\.py \(FileNotFoundError/)
  })

  it('a revision that ends the process at import (os._exit): an error statically, one line naming the file in a replay', async () => {
    const root = path.join(dir, 'os-exit')
    cpSync(path.join(FIXTURES, 'alembic-clean'), root, { recursive: true })
    const file = path.join(root, 'alembic', 'versions', '8dca1cf9ca88_create_pdfs.py')
    writeFileSync(file, `import os\nos._exit(0)\n${readFileSync(file, 'utf8')}`)
    const statically = await gate(root, 'static')
    // Placed at the file Alembic was loading when the process ended.
    expect(statically.findings.map((f) => `${f.id} ${f.severity} ${f.file}:${f.line}`)).toEqual([
      'tool-disagreement error alembic/versions/8dca1cf9ca88_create_pdfs.py:1',
    ])
    expect(statically.findings[0]?.message).toMatch(/the Python process loading them ended \(code 0\) before answering/)
    await expect(gate(root, 'stairway')).rejects.toThrow(
      /^alembic: cannot load the migration environment \(alembic\/versions\/8dca1cf9ca88_create_pdfs\.py\): the Python process ended \(code 0\) while Alembic loaded this file/,
    )
  })

  it('an env.py that loads only online: an error statically, a warning once the replay ran it', async () => {
    const root = path.join(dir, 'online-only')
    cpSync(path.join(FIXTURES, 'alembic-clean'), root, { recursive: true })
    const envPy = path.join(root, 'alembic', 'env.py')
    // env.py connects while loading, offline too (the cross-check's placeholder URL answers nothing),
    // and the revisions import a module only env.py puts on the path (so they do not load without it).
    writeFileSync(
      envPy,
      readFileSync(envPy, 'utf8').replace(
        'target_metadata = Base.metadata\n',
        'target_metadata = Base.metadata\n' +
          'sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))\n' +
          'from sqlalchemy import create_engine\n' +
          'create_engine(config.get_main_option("sqlalchemy.url")).connect().close()\n',
      ),
    )
    mkdirSync(path.join(root, 'alembic', 'lib'))
    writeFileSync(path.join(root, 'alembic', 'lib', 'only_via_env.py'), 'READY = True\n')
    const first = path.join(root, 'alembic', 'versions', '8a8e67227d08_create_orgs_and_users.py')
    writeFileSync(first, `import only_via_env  # noqa: F401\n${readFileSync(first, 'utf8')}`)

    const statically = await gate(root, 'static')
    expect(statically.findings.map((f) => `${f.id} ${f.severity}`)).toEqual(['tool-disagreement error'])
    expect(statically.result).toBe('fail')
    const replayed = await gate(root, 'stairway')
    expect(replayed.findings.map((f) => `${f.id} ${f.severity}`)).toEqual(['tool-disagreement warning'])
    expect(replayed.findings[0]?.message).toContain('while the replay, running env.py online, loaded it')
    expect(replayed.result).toBe('pass')
  })
})
