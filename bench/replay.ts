// What a replay costs against the naive check teams hand-roll, on the same generated project in the
// same run: `alembic upgrade head && alembic downgrade base && alembic upgrade head` as three
// processes, against the gate in static, roundtrip and stairway modes. Also: local Postgres
// start-up, one snapshot and one fingerprint of the head schema, the gate's peak RSS (one child
// process per gate run, so modes do not share a peak), its per-phase timings, and for the
// stairway where the replay's time goes (migration steps against catalog captures and compares).
// Prints figures and a Markdown table; asserts nothing.
//
//   npx tsx bench/replay.ts [--sizes 50,200,1000] [--reps 3] [--python /usr/bin/python3]
//                           [--modes static,roundtrip,stairway] [--no-sql] [--seed N]
//                           [--gate-postgres url|local]
//
// How it measures:
// - One local PostgreSQL (src/postgres/local.ts, fsync off) serves the whole run. The baseline gets
//   a fresh scratch database per repetition; the gate gets the server's admin URL (postgres: url),
//   so server start-up is excluded from both and timed on its own (start() to the first answered
//   query, initdb included). With --gate-postgres local the gate starts its own server instead (its
//   scratch databases then copy with FILE_COPY) and its postgres phase is subtracted from its figure.
// - The gate runs bundled by esbuild (like dist/) under plain node, through runGate with inputs
//   read by readConfig; its figure is runGate's wall time, its process's full wall time is shown too.
// - Every measured run starts without __pycache__ in the project (a fresh CI checkout): the first
//   baseline command compiles and caches the revision files, the next two reuse them.
// - Repetitions interleave the modes (baseline, static, roundtrip, stairway, then again), so load
//   from other work on the machine spreads over all of them; medians are reported.
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs, promisify } from 'node:util'
import { bundleTo } from '../scripts/bundle-build.mjs'
import pg from 'pg'
import { localProvider } from '../src/postgres/local.js'
import type { Server } from '../src/postgres/provider.js'
import { fingerprint } from '../src/schema/fingerprint.js'
import { SNAPSHOT_SQL } from '../src/schema/queries.js'
import { takeSnapshot } from '../src/schema/snapshot.js'
import { writeAlembicProject, type AlembicProject } from './generate-alembic.js'
import { writeSqlProject, type SqlProject } from './generate-sql.js'
import type { ChildRequest, ChildResult } from './replay-child.js'
import { planChain } from './synthetic-chain.js'
import { load, log, median, mib, msf, ratio, Samples, sec } from './stats.js'
import { ResourceTracker } from '../src/resource-tracker.js'

/** What this file's servers and processes are tracked by, as a run's are by its own. */
const resources = new ResourceTracker()

const run = promisify(execFile)
const VERSIONS = { alembic: '', sqlalchemy: '', postgres: '' }
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const RESULT_MARK = '@@replay-child@@'
/** stairway: replay-workers auto (what users get); stairway-1: the stairway forced onto one database. */
type GateMode = 'static' | 'roundtrip' | 'stairway-1' | 'stairway'

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '50,200,1000' },
    reps: { type: 'string', default: '3' },
    python: { type: 'string', default: '/usr/bin/python3' },
    modes: { type: 'string', default: 'static,roundtrip,stairway-1,stairway' },
    'no-sql': { type: 'boolean', default: false },
    seed: { type: 'string' },
    'gate-postgres': { type: 'string', default: 'url' },
    observe: { type: 'boolean', default: false },
  },
})
/**
 * --observe: every replay mode runs a second time with every revision's first upgrade observed
 * (MIGRATION_GATE_OBSERVE_STEPS=all: the statements sent, the locks at commit, rewrites), interleaved
 * with the plain run, and the cost is printed as the ratio of the two replay phases.
 */
const OBSERVE = args.observe === true
const SIZES = (args.sizes ?? '')
  .split(',')
  .map(Number)
  .filter((n) => n > 0)
const REPS = Math.max(1, Number(args.reps))
const PYTHON = args.python as string
const MODES = (args.modes ?? '').split(',').filter(Boolean) as GateMode[]
const SEED = args.seed === undefined ? undefined : Number(args.seed)
/** url: the gate uses the run's server; local: it starts its own, and its postgres phase is subtracted. */
const GATE_POSTGRES = args['gate-postgres'] === 'local' ? 'local' : 'url'

function removePycache(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue
    const p = path.join(dir, entry.name)
    if (entry.name === '__pycache__') rmSync(p, { recursive: true, force: true })
    else removePycache(p)
  }
}

// -- the naive baseline --------------------------------------------------------------------------
interface BaselineRun {
  commandsMs: number[]
  totalMs: number
  /** `alembic heads` (no database): one process's fixed cost. */
  processMs?: number
  headDb: { name: string; url: string }
}

/** The three alembic commands as processes, on a fresh database; leaves it at head for the snapshot figures. */
async function alembicBaseline(project: AlembicProject, server: Server): Promise<BaselineRun> {
  const db = await server.createDatabase()
  // A copy of alembic.ini with the scratch database's URL, the way a CI job sets it.
  const ini = path.join(project.dir, 'alembic.bench.ini')
  const url = db.url.replace(/^postgres(ql)?:/, 'postgresql+psycopg2:').replace(/%/g, '%%')
  const text = readFileSync(project.ini, 'utf8').replace(/^sqlalchemy\.url = .*$/m, `sqlalchemy.url = ${url}`)
  writeFileSync(ini, text)
  removePycache(project.dir)
  const commandsMs: number[] = []
  for (const command of [
    ['upgrade', 'head'],
    ['downgrade', 'base'],
    ['upgrade', 'head'],
  ]) {
    const t0 = performance.now()
    try {
      await run(PYTHON, ['-m', 'alembic', '-c', ini, ...command], {
        cwd: project.dir,
        maxBuffer: 256 * 1024 * 1024,
        timeout: 30 * 60_000,
      })
    } catch (error) {
      const e = error as { stderr?: string; message: string }
      throw new Error(
        `alembic ${command.join(' ')} failed: ${(e.stderr ?? e.message).trim().split('\n').slice(-3).join(' | ')}`,
      )
    }
    commandsMs.push(performance.now() - t0)
  }
  // The fixed cost of one alembic process (interpreter, imports, every revision file loaded; no
  // database), with the bytecode cache the first command left: what the three commands share.
  const t0 = performance.now()
  await run(PYTHON, ['-m', 'alembic', '-c', ini, 'heads'], { cwd: project.dir })
  const processMs = performance.now() - t0
  rmSync(ini, { force: true })
  return { commandsMs, totalMs: commandsMs.reduce((a, b) => a + b, 0), headDb: db, processMs }
}

/** The same shape for the SQL chain: three psql processes (all ups, all downs newest first, all ups). */
async function sqlBaseline(project: SqlProject, server: Server): Promise<BaselineRun> {
  const db = await server.createDatabase()
  const files = readdirSync(project.migrations).sort()
  const ups = files.filter((f) => f.endsWith('.up.sql')).map((f) => path.join(project.migrations, f))
  const downs = files
    .filter((f) => f.endsWith('.down.sql'))
    .reverse()
    .map((f) => path.join(project.migrations, f))
  const commandsMs: number[] = []
  // The cluster's password goes in the environment: a command line is readable by every local user.
  const url = new URL(db.url)
  const env = { ...process.env, PGPASSWORD: decodeURIComponent(url.password) }
  url.password = ''
  for (const list of [ups, downs, ups]) {
    const t0 = performance.now()
    await run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url.toString(), ...list.flatMap((f) => ['-f', f])], {
      env,
      maxBuffer: 64 * 1024 * 1024,
    })
    commandsMs.push(performance.now() - t0)
  }
  return { commandsMs, totalMs: commandsMs.reduce((a, b) => a + b, 0), headDb: db }
}

/** One snapshot and one fingerprint of the head schema (median of 5 after a warm-up). */
async function snapshotFigures(
  url: string,
): Promise<{ snapshotMs: number; fingerprintMs: number; docKiB: number; relations: number }> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const time = async (fn: () => Promise<unknown>) => {
      await fn()
      const xs: number[] = []
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now()
        await fn()
        xs.push(performance.now() - t0)
      }
      return median(xs)
    }
    const snapshotMs = await time(() => takeSnapshot(client, { excludeTables: ['alembic_version'] }))
    const fingerprintMs = await time(() => fingerprint(client))
    const doc = String((await client.query(SNAPSHOT_SQL)).rows[0]?.snapshot ?? '')
    const snap = await takeSnapshot(client, { excludeTables: ['alembic_version'] })
    return { snapshotMs, fingerprintMs, docKiB: Buffer.byteLength(doc) / 1024, relations: snap.relations.length }
  } finally {
    await client.end()
  }
}

// -- the gate, one child process per run -----------------------------------------------------------
let bundleDir = ''
let activeChild: ChildProcess | undefined

async function bundleChild(dir: string): Promise<string> {
  bundleDir = path.join(dir, 'gate-bundle')
  mkdirSync(bundleDir, { recursive: true })
  // The build dist/ is made with (the parser's .wasm beside its loader: lint is on by default), as ESM.
  writeFileSync(path.join(bundleDir, 'package.json'), '{ "type": "module" }\n')
  await bundleTo(bundleDir, { 'replay-child': path.join(ROOT, 'bench/replay-child.ts') })
  copyFileSync(path.join(ROOT, 'src/drivers/alembic/helper.py'), path.join(bundleDir, 'alembic_helper.py'))
  copyFileSync(path.join(ROOT, 'src/drivers/helper_common.py'), path.join(bundleDir, 'helper_common.py'))
  return path.join(bundleDir, 'replay-child.js')
}

async function gateRun(
  entry: string,
  req: ChildRequest,
  observe = false,
): Promise<ChildResult & { processMs: number }> {
  removePycache(req.projectDir)
  const t0 = performance.now()
  const env = observe ? { ...process.env, MIGRATION_GATE_OBSERVE_STEPS: 'all' } : process.env
  const child = spawn(process.execPath, [entry, JSON.stringify(req)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  })
  activeChild = child
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')))
  child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString('utf8')).slice(-4000)))
  const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)))
  activeChild = undefined
  const processMs = performance.now() - t0
  const line = stdout.split('\n').find((l) => l.startsWith(RESULT_MARK))
  if (!line)
    throw new Error(
      `gate child (${req.mode}) exited ${code} without a result: ${stderr.trim().split('\n').slice(-3).join(' | ')}`,
    )
  return { ...(JSON.parse(line.slice(RESULT_MARK.length)) as ChildResult), processMs }
}

/** Whether this checkout's inputs accept `tool: sql` yet (the SQL driver is being written). */
function sqlToolReason(): string | null {
  try {
    const src = readFileSync(path.join(ROOT, 'src/inputs.ts'), 'utf8')
    const m = /name: 'tool',[\s\S]*?allowed: \[([^\]]*)\]/.exec(src)
    if (m && !/'sql'/.test(m[1] ?? '')) return `the tool input does not accept "sql" yet (allowed: ${m[1]})`
    return null
  } catch (error) {
    return String(error)
  }
}

// -- one size ------------------------------------------------------------------------------------
interface SizeFigures {
  size: number
  tables: number
  enums: number
  sqlVersions?: number
  loadBefore: string
  loadAfter: string
  s: Samples
  problems: string[]
}

async function benchSize(
  size: number,
  server: Server,
  entry: string,
  root: string,
  withSql: boolean,
): Promise<SizeFigures> {
  const dir = path.join(root, `n${size}`)
  const plan = planChain(size, SEED === undefined ? {} : { seed: SEED })
  const alembic = writeAlembicProject(path.join(dir, 'alembic-project'), plan, { python: PYTHON })
  const sql = withSql ? writeSqlProject(path.join(dir, 'sql-project'), plan) : undefined
  const fig: SizeFigures = {
    size,
    tables: plan.tables,
    enums: plan.enums,
    ...(sql ? { sqlVersions: sql.versions } : {}),
    loadBefore: load(),
    loadAfter: '',
    s: new Samples(),
    problems: [],
  }
  const { s } = fig
  log(
    `\n== ${size} revisions: ${plan.tables} tables, ${plan.enums} enum types, ${(alembic.bytes / 1024).toFixed(0)} KiB of revision files; load ${fig.loadBefore}`,
  )
  try {
    for (let rep = 1; rep <= REPS; rep++) {
      const base = await alembicBaseline(alembic, server)
      base.commandsMs.forEach((m, i) => s.push(`baseline.cmd${i}`, m))
      s.push('baseline', base.totalMs)
      s.push('baseline.heads', base.processMs)
      const snap = await snapshotFigures(base.headDb.url)
      await server.dropDatabase(base.headDb.name)
      s.push('snapshot', snap.snapshotMs)
      s.push('fingerprint', snap.fingerprintMs)
      s.push('docKiB', snap.docKiB)
      s.push('relations', snap.relations)
      // Printed as each run ends, so a long run shows how far it got.
      const line = { push: (text: string) => process.stdout.write(`, ${text}`) }
      process.stdout.write(`  rep ${rep}: baseline ${sec(base.totalMs)} (${base.commandsMs.map(sec).join(' + ')})`)
      for (const mode of MODES) {
        for (const observe of observeVariants(mode)) {
          const key = `gate.${mode}${observe ? OBSERVED : ''}`
          const r = await gateRun(
            entry,
            {
              projectDir: alembic.dir,
              mode,
              tool: 'alembic',
              postgres: GATE_POSTGRES,
              databaseUrl: server.urlFor('postgres'),
              python: PYTHON,
              config: 'alembic.ini',
            },
            observe,
          )
          recordGate(fig, key, r)
          line.push(`${mode}${observe ? OBSERVED : ''} ${r.ok ? sec(fig.s.all(key).at(-1) ?? NaN) : 'FAILED'}`)
        }
      }
      if (sql) {
        const sb = await sqlBaseline(sql, server)
        await server.dropDatabase(sb.headDb.name)
        s.push('sqlbaseline', sb.totalMs)
        line.push(`| sql: psql baseline ${sec(sb.totalMs)}`)
        for (const mode of MODES) {
          for (const observe of observeVariants(mode)) {
            const key = `sql.${mode}${observe ? OBSERVED : ''}`
            const r = await gateRun(
              entry,
              {
                projectDir: sql.dir,
                mode,
                tool: 'sql',
                postgres: GATE_POSTGRES,
                databaseUrl: server.urlFor('postgres'),
                python: PYTHON,
              },
              observe,
            )
            recordGate(fig, key, r)
            line.push(`${mode}${observe ? OBSERVED : ''} ${r.ok ? sec(fig.s.all(key).at(-1) ?? NaN) : 'FAILED'}`)
          }
        }
      }
      log(`   [load ${load()}]`)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  fig.loadAfter = load()
  printSize(fig)
  if (OBSERVE) printObserveCost(fig)
  return fig
}

/** The key suffix of a run with every first upgrade observed (--observe). */
const OBSERVED = '+observe'

/** Plain, and observed too with --observe (static mode replays nothing to observe). */
function observeVariants(mode: GateMode): boolean[] {
  return OBSERVE && mode !== 'static' ? [false, true] : [false]
}

/** --observe: the replay phase and the migration steps with and without every first upgrade observed. */
function printObserveCost(fig: SizeFigures): void {
  const { s } = fig
  log(`\n  cost of observing every revision's first upgrade (${fig.size} revisions, medians of ${REPS}):`)
  for (const tool of ['gate', 'sql'])
    for (const mode of MODES.filter((m) => m !== 'static')) {
      const plain = s.med(`${tool}.${mode}.phase.replay`)
      const observed = s.med(`${tool}.${mode}${OBSERVED}.phase.replay`)
      if (!Number.isFinite(plain) || !Number.isFinite(observed)) continue
      const steps = s.med(`${tool}.${mode}.stepsMs`)
      const observedSteps = s.med(`${tool}.${mode}${OBSERVED}.stepsMs`)
      const pct = (a: number, b: number) => `${b >= a ? '+' : ''}${((100 * (b - a)) / a).toFixed(1)}%`
      log(
        `    ${tool === 'gate' ? 'alembic' : 'sql'} ${mode}: replay phase ${sec(plain)} -> ${sec(observed)} (${pct(plain, observed)}); migration steps ${sec(steps)} -> ${sec(observedSteps)} (${pct(steps, observedSteps)})`,
      )
    }
}

function recordGate(fig: SizeFigures, key: string, r: ChildResult & { processMs: number }): void {
  const { s } = fig
  if (!r.ok) {
    fig.problems.push(`${key}: ${r.error}`)
    return
  }
  if (r.result !== 'pass' || (r.findings?.length ?? 0) > 0) {
    fig.problems.push(`${key}: ${r.result} with ${r.findings?.join(', ')} on a chain built to be clean`)
  }
  const pgMs = GATE_POSTGRES === 'local' ? (r.phases?.postgres ?? 0) : 0
  s.push(key, r.gateMs - pgMs)
  s.push(`${key}.process`, r.processMs - pgMs)
  s.push(`${key}.rss`, r.rssPeakKiB)
  s.push(`${key}.rssLoaded`, r.rssLoadedKiB)
  s.push(`${key}.steps`, r.steps)
  s.push(`${key}.workers`, r.workers)
  for (const [i, slice] of r.slices.entries()) {
    s.push(`${key}.slice.${i}.ms`, slice.ms)
    s.push(`${key}.slice.${i}.prefixMs`, slice.prefixMs)
    s.push(`${key}.slice.${i}.revisions`, slice.revisions)
  }
  s.push(`${key}.stepsMs`, r.stepsMs)
  for (const [phase, ms] of Object.entries(r.phases ?? {})) s.push(`${key}.phase.${phase}`, ms)
  for (const [label, span] of Object.entries(r.spans)) {
    s.push(`${key}.span.${label}.ms`, span.ms)
    s.push(`${key}.span.${label}.n`, span.n)
  }
  for (const u of r.unwrapped)
    if (!fig.problems.some((p) => p.includes(u))) fig.problems.push(`not measured: ${u} (the method's shape changed)`)
  for (const n of r.notes ?? [])
    if (!fig.problems.includes(`${key} note: ${n}`) && !/model-drift skipped/.test(n))
      fig.problems.push(`${key} note: ${n}`)
}

/** Where the replay phase went: steps, captures and compares, opening and closing, the rest. */
function split(s: Samples, key: string): Array<[string, number, string]> {
  const span = (label: string) => s.med(`${key}.span.${label}.ms`)
  const n = (label: string) => s.med(`${key}.span.${label}.n`)
  const z = (x: number) => (Number.isFinite(x) ? x : 0)
  const replay = s.med(`${key}.phase.replay`)
  const steps = s.med(`${key}.stepsMs`)
  const python = span('python-step')
  const captures = z(span('capture')) + z(span('diff')) + z(span('forget'))
  const openClose =
    z(span('db-create')) +
    z(span('db-drop')) +
    z(span('helper-start')) +
    z(span('helper-close')) +
    z(span('probe-connect')) +
    z(span('probe-close'))
  const drift = z(span('model-drift'))
  const rest = replay - steps - captures - openClose - drift
  const pct = (x: number) => (replay > 0 ? `${((100 * x) / replay).toFixed(0)}%` : '')
  return [
    ['replay phase', replay, ''],
    [`migration steps (${s.med(`${key}.steps`)} steps, node-side)`, steps, pct(steps)],
    ['  of which inside the Python helper', python, pct(python)],
    ['  of which pipe + JSON + scheduling', steps - python, pct(steps - python)],
    [
      `catalog captures (${n('capture')} x ${msf(span('capture') / n('capture'))})`,
      span('capture'),
      pct(z(span('capture'))),
    ],
    [
      `diffs (${z(n('diff'))}) + forgets (${z(n('forget'))})`,
      z(span('diff')) + z(span('forget')),
      pct(z(span('diff')) + z(span('forget'))),
    ],
    [
      `open/close: ${[
        Number.isFinite(span('helper-start'))
          ? `helper start ${msf(span('helper-start'))} (x${n('helper-start')})`
          : '',
        `db create+drop ${msf(z(span('db-create')) + z(span('db-drop')))}`,
        `probe ${msf(z(span('probe-connect')) + z(span('probe-close')))}`,
        Number.isFinite(span('helper-close')) ? `helper close ${msf(span('helper-close'))}` : '',
      ]
        .filter(Boolean)
        .join(', ')}`,
      openClose,
      pct(openClose),
    ],
    ['model drift at head', drift, pct(drift)],
    ['unaccounted (session open/close of other drivers, JS between awaits)', rest, pct(rest)],
  ]
}

function printSize(fig: SizeFigures): void {
  const { s } = fig
  const base = s.med('baseline')
  log(`-- ${fig.size} revisions: medians of ${REPS} (load before ${fig.loadBefore}, after ${fig.loadAfter})`)
  log(
    `naive baseline (3 alembic processes)   ${sec(base)}   = ${[0, 1, 2].map((i) => sec(s.med(`baseline.cmd${i}`))).join(' + ')}   samples ${s
      .all('baseline')
      .map(sec)
      .join(', ')}`,
  )
  log(
    `  one alembic process's fixed cost (\`alembic heads\`: interpreter, imports, revision files; no database) ${sec(s.med('baseline.heads'))}`,
  )
  for (const mode of MODES) {
    const k = `gate.${mode}`
    log(
      `gate ${mode.padEnd(9)}                      ${sec(s.med(k))}   ${ratio(s.med(k), base)} of baseline; process ${sec(s.med(`${k}.process`))} (${ratio(s.med(`${k}.process`), base)}); peak RSS ${mib(s.med(`${k}.rss`))} (${mib(s.med(`${k}.rssLoaded`))} once loaded); samples ${s
        .all(k)
        .map(sec)
        .join(', ')}`,
    )
    const phases = s.keys(`${k}.phase.`).map((p) => `${p.slice(`${k}.phase.`.length)} ${msf(s.med(p))}`)
    const cross = s.med(`${k}.span.cross-check.ms`)
    // Inside the static phase, or beside the later phases where the gate runs it concurrently.
    if (Number.isFinite(cross)) phases.push(`(Alembic cross-check process ${msf(cross)})`)
    log(
      `  phases: ${phases.join(', ')}${mode !== 'static' ? `; ${s.med(`${k}.steps`)} steps, sum of steps[].ms ${msf(s.med(`${k}.stepsMs`))}` : ''}`,
    )
    const workers = s.med(`${k}.workers`)
    if (workers > 1) {
      const parts = []
      for (let i = 0; i < workers; i++) {
        parts.push(
          `${s.med(`${k}.slice.${i}.revisions`)} revisions ${msf(s.med(`${k}.slice.${i}.ms`))} (open + unchecked replay of the revisions before ${msf(s.med(`${k}.slice.${i}.prefixMs`))})`,
        )
      }
      log(`  ${workers} databases side by side: ${parts.join('; ')}`)
    }
  }
  log(
    `snapshot of the head schema ${msf(s.med('snapshot'))}, fingerprint ${msf(s.med('fingerprint'))} (${s.med('relations')} relations, document ${s.med('docKiB').toFixed(0)} KiB)`,
  )
  // Time splits only where the replay ran on one database: spans summed over databases side by side
  // would add up to more than the wall time.
  const oneDatabase = (m: GateMode, prefix = 'gate') => m !== 'static' && !(s.med(`${prefix}.${m}.workers`) > 1)
  for (const mode of MODES.filter((m) => oneDatabase(m))) {
    log(`${mode} time split (median ms):`)
    for (const [label, ms, pct] of split(s, `gate.${mode}`))
      log(`  ${label.padEnd(60)} ${msf(ms).padStart(9)} ${pct.padStart(5)}`)
  }
  if (fig.sqlVersions !== undefined) {
    const sb = s.med('sqlbaseline')
    for (const mode of MODES.filter((m) => oneDatabase(m, 'sql'))) {
      log(`sql ${mode} time split (median ms):`)
      for (const [label, ms, pct] of split(s, `sql.${mode}`)) {
        if (!/Python|pipe|drift/.test(label)) log(`  ${label.padEnd(60)} ${msf(ms).padStart(9)} ${pct.padStart(5)}`)
      }
    }
    log(
      `sql (${fig.sqlVersions} golang-migrate versions): psql baseline ${sec(sb)}; ${MODES.map((m) => `${m} ${sec(s.med(`sql.${m}`))} (${ratio(s.med(`sql.${m}`), sb)}, RSS ${mib(s.med(`sql.${m}.rss`))})`).join(', ')}`,
    )
  }
  for (const p of fig.problems) log(`  ! ${p}`)
}

function markdown(all: SizeFigures[], pgStart: number, pgStop: number): void {
  const has = (m: GateMode) => MODES.includes(m)
  log('\n### Markdown\n')
  log(
    `Median of ${REPS} runs; ${cpus().length} cores (shared with other work), load ${load()}; ${VERSIONS.alembic}, SQLAlchemy ${VERSIONS.sqlalchemy}; PostgreSQL ${VERSIONS.postgres} local, fsync off. ${
      GATE_POSTGRES === 'url'
        ? "Gate figures are runGate's wall time against an already running server (postgres: url)"
        : "Gate figures are runGate's wall time with postgres: local, its postgres phase (server start) subtracted"
    }; local Postgres start-up (initdb included) is ${msf(pgStart)} more (stop ${msf(pgStop)}).\n`,
  )
  const head = ['revisions', 'naive baseline (3 alembic processes)']
  if (has('static')) head.push('static')
  if (has('roundtrip')) head.push('roundtrip', 'roundtrip / baseline')
  if (has('stairway-1')) head.push('stairway, one database', 'one database / baseline')
  if (has('stairway')) head.push('stairway', 'stairway / baseline', 'databases')
  head.push(`peak RSS (${MODES.join(' / ')})`, 'snapshot at head', 'fingerprint at head')
  log(`| ${head.join(' | ')} |`)
  log(`|${head.map((_, i) => (i === 0 ? '---:' : '---:')).join('|')}|`)
  for (const f of all) {
    const { s } = f
    const base = s.med('baseline')
    const row = [String(f.size), sec(base)]
    if (has('static')) row.push(sec(s.med('gate.static')))
    if (has('roundtrip')) row.push(sec(s.med('gate.roundtrip')), ratio(s.med('gate.roundtrip'), base))
    if (has('stairway-1')) row.push(sec(s.med('gate.stairway-1')), ratio(s.med('gate.stairway-1'), base))
    if (has('stairway')) {
      row.push(sec(s.med('gate.stairway')), ratio(s.med('gate.stairway'), base), String(s.med('gate.stairway.workers')))
    }
    row.push(
      MODES.map((m) => mib(s.med(`gate.${m}.rss`))).join(' / '),
      msf(s.med('snapshot')),
      msf(s.med('fingerprint')),
    )
    log(`| ${row.join(' | ')} |`)
  }
  if (has('stairway-1')) {
    log('\nStairway on one database: where the replay phase goes (median ms)\n')
    log(
      '| revisions | replay phase | migration steps (node-side) | inside Python | catalog captures | diffs + forgets | open/close | other |',
    )
    log('|---:|---:|---:|---:|---:|---:|---:|---:|')
    for (const f of all) {
      const rows = split(f.s, 'gate.stairway-1')
      const v = (i: number) => {
        const r = rows[i]
        return r ? `${msf(r[1])}${r[2] ? ` (${r[2]})` : ''}` : 'n/a'
      }
      log(
        `| ${f.size} | ${v(0)} | ${v(1)} | ${v(2)} | ${v(4)} | ${v(5)} | ${v(6)} | ${msf((rows[7]?.[1] ?? 0) + (rows[8]?.[1] ?? 0))} |`,
      )
    }
  }
  if (all.some((f) => f.sqlVersions !== undefined)) {
    log('\nSQL chains (golang-migrate layout, same operations)\n')
    log(`| versions | psql baseline (3 processes) | ${MODES.join(' | ')} |`)
    log(`|---:|---:|${MODES.map(() => '---:').join('|')}|`)
    for (const f of all.filter((x) => x.sqlVersions !== undefined)) {
      const sb = f.s.med('sqlbaseline')
      log(
        `| ${f.sqlVersions} | ${sec(sb)} | ${MODES.map((m) => `${sec(f.s.med(`sql.${m}`))} (${ratio(f.s.med(`sql.${m}`), sb)})`).join(' | ')} |`,
      )
    }
  }
}

// -- main ----------------------------------------------------------------------------------------
const RUN_PREFIX = 'mg-bench-replay-'

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Temp dirs of earlier runs whose process is gone. A Ctrl-C through `npx tsx` can end this process
 * with SIGKILL (tsx relays the signal and kills the child when it does not hear back within 30 ms),
 * so no cleanup runs; the next run removes what it left. (A server it left is removed by the gate's
 * own stale-cluster sweep when the next local server starts.)
 */
function removeStaleRuns(): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(RUN_PREFIX)) continue
    const dir = path.join(tmpdir(), name)
    try {
      const owner = Number(readFileSync(path.join(dir, 'owner.pid'), 'utf8'))
      if (Number.isInteger(owner) && owner > 0 && alive(owner)) continue
    } catch {
      // No owner file: only a dir older than ten minutes (a new run writes it right after mkdtemp).
      if (Date.now() - statSync(dir).mtimeMs < 600_000) continue
    }
    rmSync(dir, { recursive: true, force: true })
    log(`removed ${dir}, left by an interrupted run`)
  }
}

async function main(): Promise<void> {
  removeStaleRuns()
  const root = mkdtempSync(path.join(tmpdir(), RUN_PREFIX))
  writeFileSync(path.join(root, 'owner.pid'), String(process.pid))
  let server: Server | undefined
  const removeFiles = () => {
    activeChild?.kill('SIGKILL')
    rmSync(root, { recursive: true, force: true })
  }
  const cleanup = async () => {
    removeFiles()
    await server?.stop().catch(() => {})
  }
  // The gate's signal hook (src/signal-cleanup.ts) handles the first SIGINT/SIGTERM and then exits.
  // npx and tsx pass a Ctrl-C on to this process a second time; without a listener of our own that
  // second signal would end the process before the cleanup ran.
  const ignoreRepeat = () => {}
  process.on('SIGINT', ignoreRepeat)
  process.on('SIGTERM', ignoreRepeat)
  const unregister = resources.track('bench/replay temp files', cleanup, removeFiles)
  try {
    const { stdout: alembicVersion } = await run(PYTHON, ['-m', 'alembic', '--version'])
    const { stdout: saVersion } = await run(PYTHON, ['-c', 'import sqlalchemy; print(sqlalchemy.__version__)'])
    const commit = await run('git', ['-C', ROOT, 'describe', '--always', '--dirty']).then(
      (r) => r.stdout.trim(),
      () => 'unknown',
    )
    VERSIONS.alembic = alembicVersion.trim()
    VERSIONS.sqlalchemy = saVersion.trim()
    log(
      `bench/replay at ${commit}: sizes ${SIZES.join(', ')}; ${REPS} repetitions; node ${process.version}; ${alembicVersion.trim()}, SQLAlchemy ${saVersion.trim()} (${PYTHON}); ${cpus().length} cores; load ${load()}`,
    )
    const sqlReason = args['no-sql'] ? 'left out (--no-sql)' : sqlToolReason()
    log(`SQL chains: ${sqlReason ? `not timed: ${sqlReason}` : 'timed through tool: sql'}`)
    const entry = await bundleChild(root)
    mkdirSync(path.join(root, 'projects'), { recursive: true })

    const provider = localProvider({ resources })
    const starts: number[] = []
    const stops: number[] = []
    for (let i = 0; i < Math.max(3, REPS); i++) {
      const sv = await provider.start()
      starts.push(sv.startMs)
      const t0 = performance.now()
      await sv.stop()
      stops.push(performance.now() - t0)
    }
    log(
      `local Postgres start-up (initdb + start, to the first answered query): median ${msf(median(starts))} [${starts.map(msf).join(', ')}], stop ${msf(median(stops))}`,
    )

    server = await provider.start()
    VERSIONS.postgres = server.serverVersion
    log(`PostgreSQL ${server.serverVersion} for the run (${server.provider}); the gate uses postgres: ${GATE_POSTGRES}`)
    const all: SizeFigures[] = []
    for (const size of SIZES) all.push(await benchSize(size, server, entry, path.join(root, 'projects'), !sqlReason))
    markdown(all, median(starts), median(stops))
  } finally {
    await cleanup()
    unregister()
    process.removeListener('SIGINT', ignoreRepeat)
    process.removeListener('SIGTERM', ignoreRepeat)
  }
}

await main()
