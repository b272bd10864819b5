// The cross-check's two ways of costing less: compiled revision files kept between runs (used only
// where the source's hash matches, so an edit is never run stale), and the candidate interpreters
// tried by the cross-check itself (no separate probe importing alembic first).
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkChain } from '../../src/checks/chain.js'
import { heads } from '../../src/checks/topo.js'
import { readAlembicConfig } from '../../src/drivers/alembic/config.js'
import { crossCheckHeads, type CrossCheckOptions } from '../../src/drivers/alembic/crosscheck.js'
import { readAlembicGraph } from '../../src/drivers/alembic/graph.js'
import { alembicWording } from '../../src/drivers/alembic/wording.js'
import { ResourceTracker } from '../../src/resource-tracker.js'
import { pythonWithAlembic } from '../support/python.js'

const resources = new ResourceTracker()
let python: string
let dir: string
beforeAll(async () => {
  python = await pythonWithAlembic()
  dir = mkdtempSync(path.join(tmpdir(), 'mg-crosscheck-cache-'))
})
afterAll(async () => {
  await resources.cleanupAll()
  rmSync(dir, { recursive: true, force: true })
})

function project(name: string, files: Record<string, string>): string {
  const root = path.join(dir, name)
  const all = { 'alembic.ini': '[alembic]\nscript_location = alembic\n', 'alembic/env.py': '', ...files }
  for (const [rel, text] of Object.entries(all)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true })
    writeFileSync(path.join(root, rel), text)
  }
  return root
}

async function crossCheck(root: string, options: Partial<CrossCheckOptions>) {
  const config = readAlembicConfig(root)
  const graph = await readAlembicGraph(config)
  const staticFindings = [...graph.problems, ...checkChain(graph, alembicWording)]
  return crossCheckHeads({ python, config, staticHeads: heads(graph), staticFindings, resources, ...options })
}

const base = `revision = 'a1b2c3d4e5f6'\ndown_revision = None\n`
const second = (id: string) => `revision = '${id}'\ndown_revision = 'a1b2c3d4e5f6'\n`

describe('compiled revision files kept between runs', () => {
  it('are used, and an edited file is compiled afresh even with the same size and modification time', async () => {
    const root = project('edited', { 'alembic/versions/a1.py': base, 'alembic/versions/b2.py': second('b2c3d4e5f6a1') })
    const pycCache = path.join(dir, 'cache-edited')
    const first = await crossCheck(root, { pycCache })
    expect(first).toMatchObject({ findings: [], alembicHeads: ['b2c3d4e5f6a1'] })
    // One file for the project, holding both revisions' code.
    expect(readdirSync(pycCache).filter((f) => f.endsWith('.marshal'))).toHaveLength(1)

    // The same length and modification time: only the content tells the two apart.
    const file = path.join(root, 'alembic/versions/b2.py')
    const before = statSync(file)
    writeFileSync(file, second('b2c3d4e5f6a9'))
    utimesSync(file, before.atime, before.mtime)
    const again = await crossCheck(root, { pycCache })
    expect(again).toMatchObject({ findings: [], alembicHeads: ['b2c3d4e5f6a9'] })
  })

  it('a cache that cannot be written (a file where its directory should be) costs nothing but speed', async () => {
    const root = project('unwritable', { 'alembic/versions/a1.py': base })
    const pycCache = path.join(dir, 'not-a-directory')
    writeFileSync(pycCache, 'x')
    expect(await crossCheck(root, { pycCache })).toMatchObject({ findings: [], alembicHeads: ['a1b2c3d4e5f6'] })
  })
})

describe('candidate interpreters', () => {
  it('the first that can import alembic answers; when none can, the reason names each', async () => {
    const root = project('candidates', { 'alembic/versions/a1.py': base })
    // The same interpreter without site-packages cannot see the distro's alembic.
    const noSite = path.join(dir, 'python-no-site')
    writeFileSync(noSite, `#!/bin/sh\nexec ${python} -S "$@"\n`)
    chmodSync(noSite, 0o755)
    const missing = path.join(dir, 'no-such-python')
    const found = await crossCheck(root, { python: [missing, noSite, python] })
    expect(found).toMatchObject({ findings: [], alembicHeads: ['a1b2c3d4e5f6'] })
    expect(found.reason).toBeUndefined()

    const none = await crossCheck(root, { python: [missing, noSite] })
    expect(none.findings).toEqual([])
    expect(none.reason).toBe(
      `${missing}: not found; ${noSite} cannot import alembic (ModuleNotFoundError: No module named 'alembic')`,
    )
  })
})
