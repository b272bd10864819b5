// What users wait for: the gate as a process (`node dist/cli.js check ...`), spawn to exit, against
// the naive check (three alembic processes) and the peer (pytest-alembic's test_up_down_consistency),
// on the same generated chain in one run, at each size. Also each gate process's peak RSS, the
// findings it reports against the ones the chain was built to have, and the cost per revision.
// Prints figures and Markdown tables; asserts no time. `npm run bench` runs it.
//
//   npx tsx bench/process.ts [--sizes 100,200,1000] [--reps 3] [--servers url,local]
//                            [--modes static,roundtrip,stairway,stairway-1] [--python /usr/bin/python3]
//                            [--peer-src DIR] [--project DIR ...] [--clean] [--defect-every 20]
//                            [--seed N] [--pg-bin DIR] [--cli dist/cli.js] [--lint off|warn|error]
//
// How it measures:
// - One local PostgreSQL (fsync off) is started first and serves the naive check, the peer and the
//   gate with --servers url (postgres: url, like a CI service container: server start excluded).
//   With --servers local the gate starts its own server in every run (what postgres: local costs).
// - Every figure is a process from spawn to exit, on a fresh database, from a project without
//   __pycache__ (a fresh CI checkout). Repetitions interleave every kind of run, so load from other
//   work spreads over all of them; medians are printed.
// - The generated chain (synthetic-chain.ts) has a defective revision every --defect-every
//   revisions (a forgotten index, a forgotten enum type, an irreversible data migration), so the
//   stairway's rebuilds are in its figures; the gate's findings, counted by id, must be the ones
//   expected-findings.ts derives from the plan, or the run is a bench error (exit 1). The naive
//   check and the peer stop at the first irreversible downgrade, so they run the same chain with
//   its defects repaired (same upgrades): their figures are of the whole chain.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { localProvider } from '../src/postgres/local.js'
import type { Server } from '../src/postgres/provider.js'
import { ResourceTracker } from '../src/resource-tracker.js'
import { endChildren, killChildrenNow } from './children.js'
import { expectedFindings, formatCounts, sameCounts, type FindingCounts } from './expected-findings.js'
import { GATE_MODES, runGateProcess, writeRssHook, type GateMode, type GateServer } from './gate-process.js'
import { writeAlembicProject } from './generate-alembic.js'
import { naiveAlembic } from './naive.js'
import { preparePeer, runPeer, type Peer } from './peer.js'
import { load, log, mib, msf, ratio, Samples, sec } from './stats.js'
import { planChain, repairPlan, schemaWidth } from './synthetic-chain.js'
import { RULE_BY_ID } from '../src/lint/rules/index.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const RUN_PREFIX = 'mg-bench-process-'
const RSS_TARGET_MIB = 200

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100,200,1000' },
    reps: { type: 'string', default: '3' },
    servers: { type: 'string', default: 'url,local' },
    modes: { type: 'string', default: GATE_MODES.join(',') },
    python: { type: 'string', default: '/usr/bin/python3' },
    'peer-src': { type: 'string' },
    project: { type: 'string', multiple: true, default: [] },
    clean: { type: 'boolean', default: false },
    'defect-every': { type: 'string', default: '20' },
    seed: { type: 'string' },
    'pg-bin': { type: 'string' },
    cli: { type: 'string', default: path.join(ROOT, 'dist', 'cli.js') },
    // The dangerous-operation rules: the gate's default (warn: every revision's first upgrade observed
    // and judged, no base being known here), or off to time the replay alone.
    lint: { type: 'string' },
  },
})

function fail(message: string): never {
  process.stderr.write(`bench/process: ${message}\n`)
  process.exit(2)
}
const SIZES = (args.sizes ?? '').split(',').map(Number)
if (SIZES.some((n) => !Number.isInteger(n) || n < 3)) fail(`--sizes ${args.sizes}: whole numbers of at least 3`)
const REPS = Number(args.reps)
if (!Number.isInteger(REPS) || REPS < 1) fail(`--reps ${args.reps}: a whole number of at least 1 (3 for figures)`)
const SERVERS = (args.servers ?? '').split(',').filter(Boolean) as Array<GateServer['kind']>
if (SERVERS.some((s) => s !== 'url' && s !== 'local')) fail(`--servers ${args.servers}: url, local or both`)
const MODES = (args.modes ?? '').split(',').filter(Boolean) as GateMode[]
if (MODES.some((m) => !GATE_MODES.includes(m))) fail(`--modes ${args.modes}: any of ${GATE_MODES.join(', ')}`)
const DEFECT_EVERY = args.clean ? 0 : Number(args['defect-every'])
if (!Number.isInteger(DEFECT_EVERY) || DEFECT_EVERY < 0) fail(`--defect-every ${args['defect-every']}: 0 or more`)
const SEED = args.seed === undefined ? undefined : Number(args.seed)
const PYTHON = args.python as string
const CLI = path.resolve(args.cli as string)
if (!existsSync(CLI)) fail(`--cli ${CLI} does not exist (node scripts/bundle.mjs builds dist/)`)
const PROJECTS = (args.project ?? []).map((p) => path.resolve(p))
for (const p of PROJECTS) if (!existsSync(path.join(p, 'alembic.ini'))) fail(`--project ${p}: no alembic.ini there`)

const MODE_LABEL: Record<GateMode, string> = {
  static: 'static',
  roundtrip: 'roundtrip',
  stairway: 'stairway (replay-workers auto)',
  'stairway-1': 'stairway on one database',
}
const gateKey = (server: string, mode: GateMode) => `gate.${server}.${mode}`

/** Finding counts without the dangerous-operation rules' (lint-suppression included). */
function withoutLint(counts: FindingCounts): FindingCounts {
  return Object.fromEntries(
    Object.entries(counts).filter(([id]) => !(id in RULE_BY_ID) && id !== 'lint-suppression'),
  ) as FindingCounts
}

function removePycache(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue
    const p = path.join(dir, entry.name)
    if (entry.name === '__pycache__') rmSync(p, { recursive: true, force: true })
    else removePycache(p)
  }
}

/** What one chain (generated or real) is measured on. */
interface Subject {
  label: string
  revisions: number
  /** The gate's project and the one the naive check and the peer run (the same, or its repaired twin). */
  gateDir: string
  naiveDir: string
  /** alembic.ini of each. */
  gateIni: string
  naiveIni: string
  /** By mode; undefined for a real project (no plan to say). */
  expected?: Record<'static' | 'roundtrip' | 'stairway', FindingCounts>
}

interface Figures {
  subject: Subject
  s: Samples
  loadBefore: string
  loadAfter: string
  /** Findings by id per gate run kind (first repetition), for the printout. */
  findings: Map<string, string>
  peerOutcome: string
  /** A real project's naive check that stopped on the project's own defect. */
  naiveOutcome: string
  problems: string[]
}

let problemsTotal = 0

async function measure(subject: Subject, server: Server, peer: Peer | undefined, work: string): Promise<Figures> {
  const fig: Figures = {
    subject,
    s: new Samples(),
    loadBefore: load(),
    loadAfter: '',
    findings: new Map(),
    peerOutcome: '',
    naiveOutcome: '',
    problems: [],
  }
  const { s } = fig
  const problem = (p: string) => {
    if (!fig.problems.includes(p)) fig.problems.push(p)
  }
  const hook = writeRssHook(work)
  const servers: GateServer[] = SERVERS.map((kind) =>
    kind === 'url'
      ? { kind, url: server.urlFor('postgres') }
      : { kind, ...(args['pg-bin'] ? { pgBin: args['pg-bin'] } : {}) },
  )
  for (let rep = 1; rep <= REPS; rep++) {
    const line: string[] = []
    {
      const db = await server.createDatabase()
      removePycache(subject.naiveDir)
      const r = await naiveAlembic({ python: PYTHON, projectDir: subject.naiveDir, ini: subject.naiveIni, url: db.url })
      await server.dropDatabase(db.name)
      // A real project's own defect may stop the naive check: its time to fail is what CI waits for.
      if (r.ok || !subject.expected) {
        s.push('naive', r.totalMs)
        r.commandsMs.forEach((ms, i) => s.push(`naive.cmd${i}`, ms))
      }
      if (!r.ok && subject.expected) problem(`naive check: ${r.error}`)
      else if (!r.ok) fig.naiveOutcome ||= `stopped: ${r.error}`
      line.push(`naive ${sec(r.totalMs)}${r.ok ? '' : ' (failed)'}`)
    }
    if (peer) {
      const db = await server.createDatabase()
      removePycache(subject.naiveDir)
      const r = await runPeer(peer, {
        python: PYTHON,
        projectDir: subject.naiveDir,
        ini: subject.naiveIni,
        url: db.url,
      })
      await server.dropDatabase(db.name)
      fig.peerOutcome ||= r.outcome
      if (r.ok) s.push('peer', r.ms)
      else problem(`pytest-alembic: ${r.outcome}`)
      line.push(`pytest-alembic ${r.ok ? sec(r.ms) : 'FAILED'}`)
    }
    for (const gs of servers) {
      for (const mode of MODES) {
        const key = gateKey(gs.kind, mode)
        removePycache(subject.gateDir)
        const r = await runGateProcess({
          cli: CLI,
          hook,
          projectDir: subject.gateDir,
          mode,
          server: gs,
          python: PYTHON,
          workDir: work,
          ...(args.lint ? { extraArgs: ['--lint', args.lint] } : {}),
        })
        line.push(`${gs.kind}/${mode} ${r.ok ? sec(r.ms) : 'FAILED'}`)
        if (!r.ok) {
          problem(`${key}: ${r.error}`)
          continue
        }
        s.push(key, r.ms)
        s.push(`${key}.rss`, r.rssKiB)
        s.push(`${key}.databases`, r.databases)
        for (const [phase, ms] of Object.entries(r.phases)) s.push(`${key}.phase.${phase}`, ms)
        const found = formatCounts(r.findings)
        if (!fig.findings.has(key)) fig.findings.set(key, found)
        const expected = subject.expected?.[mode === 'stairway-1' ? 'stairway' : mode]
        // The plan plants replay defects; the dangerous-operation rules' findings are the lint tests' to check.
        if (expected && !sameCounts(expected, withoutLint(r.findings))) {
          problem(`bench error: ${key} found ${found}; the plan says ${formatCounts(expected)}`)
        }
      }
    }
    log(`  rep ${rep}/${REPS}: ${line.join(', ')}  [load ${load()}]`)
  }
  fig.loadAfter = load()
  problemsTotal += fig.problems.length
  return fig
}

function printFigures(fig: Figures, peer: Peer | undefined): void {
  const { s, subject } = fig
  const naive = s.med('naive')
  const n = subject.revisions
  log(`-- ${subject.label}: medians of ${REPS} (load before ${fig.loadBefore}, after ${fig.loadAfter})`)
  log(
    `naive check (3 alembic processes)        ${sec(naive)} = ${[0, 1, 2].map((i) => sec(s.med(`naive.cmd${i}`))).join(' + ')}; ${msf(naive / n)}/revision${fig.naiveOutcome ? `; ${fig.naiveOutcome}` : ''}`,
  )
  if (peer) {
    log(
      `pytest-alembic test_up_down_consistency  ${sec(s.med('peer'))} (${ratio(s.med('peer'), naive)} of naive); ${msf(s.med('peer') / n)}/revision; ${fig.peerOutcome}`,
    )
  }
  for (const server of SERVERS) {
    for (const mode of MODES) {
      const k = gateKey(server, mode)
      const rss = s.med(`${k}.rss`)
      const replay = s.med(`${k}.phase.replay`)
      const dbs = s.med(`${k}.databases`)
      log(
        `gate ${server.padEnd(5)} ${MODE_LABEL[mode].padEnd(30)} ${sec(s.med(k))} (${ratio(s.med(k), naive)} of naive${
          peer ? `, ${ratio(s.med(k), s.med('peer'))} of pytest-alembic` : ''
        }); ${msf(s.med(k) / n)}/revision${Number.isFinite(replay) ? `, replay phase ${sec(replay)} = ${msf(replay / n)}/revision` : ''}${
          mode === 'stairway' && dbs > 1 ? `, ${dbs} databases` : ''
        }; peak RSS ${mib(rss)}${rss / 1024 > RSS_TARGET_MIB ? ` OVER the ${RSS_TARGET_MIB} MB target` : ''}; samples ${s
          .all(k)
          .map(sec)
          .join(', ')}`,
      )
      const phases = s.keys(`${k}.phase.`).map((p) => `${p.slice(`${k}.phase.`.length)} ${msf(s.med(p))}`)
      log(`    phases: ${phases.join(', ')}; findings ${fig.findings.get(k) ?? 'n/a'}`)
    }
  }
  for (const p of fig.problems) log(`  ! ${p}`)
}

/** The ratio of the cost per revision at the largest size to that at the smallest: 1.0 is linear. */
function growth(all: Figures[], key: string): string {
  const first = all[0]
  const last = all.at(-1)
  if (!first || !last || first === last) return 'n/a'
  const per = (f: Figures) => f.s.med(key) / f.subject.revisions
  return ratio(per(last), per(first))
}

function markdown(all: Figures[], peer: Peer | undefined, header: string): void {
  if (all.length === 0) return
  log('\n### Markdown\n')
  log(`${header}\n`)
  const withRatio = (ms: number, naive: number) => (Number.isFinite(ms) ? `${sec(ms)} (${ratio(ms, naive)})` : 'n/a')
  for (const server of SERVERS) {
    log(
      server === 'url'
        ? '\nGate against an already running server (`postgres: url`, server start excluded, like a CI service container):\n'
        : '\nGate starting its own server (`postgres: local`, server start included):\n',
    )
    const head = ['revisions', 'naive (3 alembic processes)']
    for (const mode of MODES) head.push(MODE_LABEL[mode])
    head.push(`peak RSS (${MODES.join(' / ')})`)
    if (peer) head.push('pytest-alembic')
    log(`| ${head.join(' | ')} |`)
    log(`|${head.map(() => '---:').join('|')}|`)
    for (const f of all) {
      const naive = f.s.med('naive')
      const row = [f.subject.label, sec(naive)]
      for (const mode of MODES) {
        const k = gateKey(server, mode)
        const dbs = f.s.med(`${k}.databases`)
        row.push(`${withRatio(f.s.med(k), naive)}${mode === 'stairway' && dbs > 1 ? `, ${dbs} databases` : ''}`)
      }
      row.push(MODES.map((m) => mib(f.s.med(`${gateKey(server, m)}.rss`))).join(' / '))
      if (peer) row.push(withRatio(f.s.med('peer'), naive))
      log(`| ${row.join(' | ')} |`)
    }
  }
  log('\nCost per revision (ms), and its growth from the smallest to the largest size (1.00x: linear):\n')
  const keys: Array<[string, string]> = [['naive', 'naive']]
  if (peer) keys.push(['pytest-alembic', 'peer'])
  for (const server of SERVERS) {
    for (const mode of MODES) {
      keys.push([`${server} ${mode}`, gateKey(server, mode)])
      if (mode !== 'static') keys.push([`${server} ${mode} replay phase`, `${gateKey(server, mode)}.phase.replay`])
    }
  }
  log(`| per revision | ${all.map((f) => f.subject.label).join(' | ')} | growth |`)
  log(`|---|${all.map(() => '---:').join('|')}|---:|`)
  for (const [label, key] of keys) {
    log(`| ${label} | ${all.map((f) => msf(f.s.med(key) / f.subject.revisions)).join(' | ')} | ${growth(all, key)} |`)
  }
}

/** Temp dirs of earlier runs whose process is gone (a SIGKILL leaves them). */
function removeStaleRuns(): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(RUN_PREFIX)) continue
    const dir = path.join(tmpdir(), name)
    try {
      const owner = Number(readFileSync(path.join(dir, 'owner.pid'), 'utf8'))
      process.kill(owner, 0)
      continue
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'EPERM') continue
      if (code === 'ENOENT' && Date.now() - statSync(dir).mtimeMs < 600_000) continue
    }
    rmSync(dir, { recursive: true, force: true })
    log(`removed ${dir}, left by an interrupted run`)
  }
}

function generated(size: number, root: string): Subject {
  const plan = planChain(size, { ...(SEED === undefined ? {} : { seed: SEED }), defectEvery: DEFECT_EVERY })
  const gate = writeAlembicProject(path.join(root, `n${size}`), plan, { python: PYTHON })
  const defects = plan.revisions.filter((r) => r.defect)
  const naive =
    defects.length > 0
      ? writeAlembicProject(path.join(root, `n${size}-repaired`), repairPlan(plan), { python: PYTHON })
      : gate
  const w = schemaWidth(plan)
  const byKind = new Map<string, number>()
  for (const r of defects) byKind.set(r.defect as string, (byKind.get(r.defect as string) ?? 0) + 1)
  log(
    `\n== ${size} revisions: ${w.tables} tables, ${w.indexes} indexes, ${w.foreignKeys} foreign keys, ${w.enums} enum types at head; ${(gate.bytes / 1024).toFixed(0)} KiB of revision files; defects: ${
      defects.length === 0 ? 'none (clean chain)' : [...byKind].map(([k, v]) => `${k} ${v}`).join(', ')
    }`,
  )
  const expected = {
    static: expectedFindings(plan, 'static'),
    roundtrip: expectedFindings(plan, 'roundtrip'),
    stairway: expectedFindings(plan, 'stairway'),
  }
  log(
    `   expected findings: roundtrip ${formatCounts(expected.roundtrip)}; stairway ${formatCounts(expected.stairway)}`,
  )
  return {
    label: String(size),
    revisions: size,
    gateDir: gate.dir,
    naiveDir: naive.dir,
    gateIni: gate.ini,
    naiveIni: naive.ini,
    expected,
  }
}

function realProject(dir: string): Subject {
  const ini = path.join(dir, 'alembic.ini')
  let revisions = NaN
  try {
    const out = execFileSync(PYTHON, ['-m', 'alembic', '-c', ini, 'history'], {
      cwd: dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    revisions = out.split('\n').filter((l) => l.includes('->')).length
  } catch (error) {
    log(`  (alembic history failed: ${String(error).split('\n')[0]})`)
  }
  log(`\n== ${dir}: ${revisions} revisions (alembic history)`)
  return { label: path.basename(dir), revisions, gateDir: dir, naiveDir: dir, gateIni: ini, naiveIni: ini }
}

async function main(): Promise<void> {
  removeStaleRuns()
  const root = mkdtempSync(path.join(tmpdir(), RUN_PREFIX))
  writeFileSync(path.join(root, 'owner.pid'), String(process.pid))
  const resources = new ResourceTracker()
  let server: Server | undefined
  const removeFiles = () => {
    killChildrenNow()
    rmSync(root, { recursive: true, force: true })
  }
  const cleanup = async () => {
    await endChildren()
    rmSync(root, { recursive: true, force: true })
    await server?.stop().catch(() => {})
  }
  // The gate's signal hook (src/signal-cleanup.ts) runs the cleanup on the first SIGINT/SIGTERM and
  // exits; npx and tsx pass a Ctrl-C on a second time, which must not end the process mid-cleanup.
  const ignoreRepeat = () => {}
  process.on('SIGINT', ignoreRepeat)
  process.on('SIGTERM', ignoreRepeat)
  const unregister = resources.track('bench/process temp files and children', cleanup, removeFiles)
  try {
    const version = (cmd: string[]) => {
      try {
        return execFileSync(cmd[0] as string, cmd.slice(1), {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        }).trim()
      } catch {
        return 'unknown'
      }
    }
    const commit = version(['git', '-C', ROOT, 'describe', '--always', '--dirty'])
    const alembic = version([PYTHON, '-m', 'alembic', '--version'])
    const sqlalchemy = version([PYTHON, '-c', 'import sqlalchemy; print(sqlalchemy.__version__)'])
    log(
      `bench/process at ${commit}: sizes ${SIZES.join(', ')}; ${REPS} repetitions${REPS < 3 ? ' (fewer than 3: not figures to publish)' : ''}; gate servers ${SERVERS.join(', ')}; modes ${MODES.join(', ')}`,
    )
    log(
      `node ${process.version}; ${alembic}, SQLAlchemy ${sqlalchemy} (${PYTHON}); ${cpus().length} cores; load at start ${load()}`,
    )
    const dirty = version(['git', '-C', ROOT, 'status', '--porcelain', '--', 'src'])
    if (CLI === path.join(ROOT, 'dist', 'cli.js') && dirty !== '' && dirty !== 'unknown')
      log('! src/ has uncommitted changes: dist/cli.js may not hold them (node scripts/bundle.mjs rebuilds it)')
    const found = preparePeer(args['peer-src'], PYTHON, root)
    const peer = typeof found === 'string' ? undefined : found
    log(peer ? `pytest-alembic from ${peer.src} (${peer.version})` : `pytest-alembic not timed: ${found as string}`)

    server = await localProvider({ resources }).start()
    log(`PostgreSQL ${server.serverVersion} (local, fsync off) for the naive check, the peer and postgres: url`)
    const header = (what: string) =>
      `Median of ${REPS} runs, each a process from spawn to exit; ${cpus().length} cores, load ${load()}; ${alembic}, SQLAlchemy ${sqlalchemy}; PostgreSQL ${server?.serverVersion}. ${what} Ratios are to the naive check.`
    const all: Figures[] = []
    for (const size of SIZES) {
      const subject = generated(size, path.join(root, 'projects'))
      const fig = await measure(subject, server, peer, root)
      printFigures(fig, peer)
      all.push(fig)
      rmSync(path.join(root, 'projects'), { recursive: true, force: true })
    }
    markdown(
      all,
      peer,
      header(
        DEFECT_EVERY > 0
          ? `Generated chains with a defective revision every ${DEFECT_EVERY} (the naive check and pytest-alembic run them repaired).`
          : 'Clean generated chains.',
      ),
    )
    const real: Figures[] = []
    for (const dir of PROJECTS) {
      const fig = await measure(realProject(dir), server, peer, root)
      printFigures(fig, peer)
      real.push(fig)
    }
    markdown(real, peer, header('Real projects.'))
    log(`\n${cpus().length} cores; load at end ${load()}`)
  } finally {
    await cleanup()
    unregister()
    process.removeListener('SIGINT', ignoreRepeat)
    process.removeListener('SIGTERM', ignoreRepeat)
  }
  if (problemsTotal > 0) {
    log(`${problemsTotal} problem(s) above (lines starting with !)`)
    process.exitCode = 1
  }
}

await main()
