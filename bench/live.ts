// How long a release gate takes: mode live on a generated 200-revision Alembic chain, against a real
// database migrated (by real Alembic) to 5 revisions behind head; the whole CLI process's wall time
// (dist/cli.js: run `node scripts/bundle.mjs` first), the queries it ran on the live database and
// its longest transaction there (the longest it held a lock).
// Run: npx tsx bench/live.ts [revisions] [behind] [runs]
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { topologicalOrder } from '../src/checks/topo.js'
import { createDriver } from '../src/drivers/detect.js'
import { findPython } from '../src/drivers/python.js'
import { readConfig } from '../src/inputs.js'
import { silentLogger } from '../src/logger.js'
import { localProvider } from '../src/postgres/local.js'
import type { GateReport } from '../src/report.js'
import { ResourceTracker } from '../src/resource-tracker.js'
import { writeAlembicProject } from './generate-alembic.js'
import { planChain } from './synthetic-chain.js'

const REVISIONS = Number(process.argv[2] ?? 200)
const BEHIND = Number(process.argv[3] ?? 5)
const RUNS = Number(process.argv[4] ?? 5)
const root = path.join(import.meta.dirname, '..')

const scratch = mkdtempSync(path.join(tmpdir(), 'mg-bench-live-'))
const python = await findPython('alembic', scratch)
const project = writeAlembicProject(path.join(scratch, 'project'), planChain(REVISIONS), { python })
const resources = new ResourceTracker()
const server = await localProvider({ resources }).start()
try {
  const db = await server.createDatabase()
  const inputs: Record<string, string> = { 'working-directory': project.dir, python }
  const driver = createDriver(
    readConfig((name) => inputs[name]),
    silentLogger,
  )
  const order = topologicalOrder(await driver.graph())
  const session = await driver.open(db.url, { stepTimeoutSeconds: 120, resources })
  const t0 = performance.now()
  for (const revision of order.slice(0, order.length - BEHIND)) {
    const step = await session.upgrade(revision)
    if (!step.ok) throw new Error(`upgrade ${revision}: ${step.error?.message}`)
  }
  await session.close()
  console.log(
    `production: ${order.length - BEHIND} of ${order.length} revisions applied by Alembic in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  )
  const walls: number[] = []
  let report: GateReport | undefined
  for (let i = 0; i < RUNS; i++) {
    const json = path.join(scratch, 'report.json')
    const w0 = performance.now()
    const r = spawnSync(
      process.execPath,
      [
        path.join(root, 'dist', 'cli.js'),
        'check',
        project.dir,
        '--mode',
        'live',
        '--live-database-url-env',
        'LIVE_URL',
        '--python',
        python,
        '--report-json',
        json,
      ],
      { encoding: 'utf8', env: { ...process.env, LIVE_URL: db.url }, stdio: 'pipe' },
    )
    walls.push(performance.now() - w0)
    if (r.status !== 0) throw new Error(`exit ${r.status}: ${r.stderr}`)
    report = JSON.parse(readFileSync(json, 'utf8')) as GateReport
  }
  walls.sort((a, b) => a - b)
  const live = report!.live!
  console.log(
    `mode live, ${REVISIONS} revisions, ${live.behind} behind: median wall ${(walls[Math.floor(walls.length / 2)]! / 1000).toFixed(2)} s over ${RUNS} runs (min ${(walls[0]! / 1000).toFixed(2)} s); live phase ${report!.timings.phases.live} ms; ${live.queries} queries; longest transaction ${live.longestTransactionMs} ms`,
  )
  const p = report!.timings.phases
  console.log(
    `  phases of the last run: static ${p.static} ms, live ${p.live} ms, postgres ${p.postgres} ms, drift (build to the live revision + compare) ${p.drift} ms, replay (schema copy + prediction) ${p.replay} ms; findings: ${report!.findings.map((f) => f.id).join(', ') || 'none'}`,
  )
} finally {
  await server.stop()
  rmSync(scratch, { recursive: true, force: true })
}
