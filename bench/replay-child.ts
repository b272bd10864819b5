// One gate run in a process of its own, for bench/replay.ts: runGate in one mode on one project
// against an already running server (postgres: url; or local, starting its own), then one JSON line with the report's figures,
// the process's peak RSS, and where the replay's time went. replay.ts bundles this file with esbuild
// and runs it under plain node (as the action's dist bundle runs), so the RSS is the gate's own,
// not tsx's.
//
// The time split comes from wrapping a few methods of the gate's classes on their prototypes, in
// this process only (no change to src/): catalog captures, diffs and forgets of the probe, the
// Alembic helper's start-up and close, scratch database create/drop, and the helper's own
// (Python-side) time per step, read from its replies.
import { runGate } from '../src/gate.js'
import { readConfig } from '../src/inputs.js'
import { silentLogger, type Logger } from '../src/logger.js'
import { AlembicDriver } from '../src/drivers/alembic/driver.js'
import { AlembicSession } from '../src/drivers/alembic/session.js'
import { GateDatabases } from '../src/postgres/databases.js'
import { SnapshotProbe } from '../src/schema/probe.js'

export interface ChildRequest {
  projectDir: string
  /** stairway: the default replay-workers (auto); stairway-1: the stairway on one database. */
  mode: 'static' | 'roundtrip' | 'stairway-1' | 'stairway'
  tool: string
  /** postgres: url (this server's admin URL) or local (the gate starts its own). */
  postgres: 'url' | 'local'
  databaseUrl: string
  python: string
  config?: string
}

export interface ChildResult {
  ok: boolean
  error?: string
  /** Wall time of runGate alone (no node start-up, no module loading). */
  gateMs: number
  result?: string
  findings?: string[]
  notes?: string[]
  phases?: Record<string, number>
  totalMs?: number
  postgresStartMs?: number
  steps?: number
  stepsMs?: number
  /** Databases the stairway ran on, and each slice's figures (from the gate's log lines). */
  workers: number
  slices: Array<{ revisions: number; prefixRevisions: number; ms: number; prefixMs: number }>
  /** Per wrapped method: calls and total ms. */
  spans: Record<string, { n: number; ms: number }>
  /** Methods that could not be wrapped (their shape changed). */
  unwrapped: string[]
  /** Peak RSS of this process, KiB: before runGate (after loading the gate) and at the end. */
  rssLoadedKiB: number
  rssPeakKiB: number
}

/** The result line's prefix (replay.ts looks for it). */
const RESULT_MARK = '@@replay-child@@'

// The stairway says how it sliced the chain (info) and what each slice cost (debug): kept, not printed.
let workers = 1
const slices: ChildResult['slices'] = []
const sliceLogger: Logger = {
  ...silentLogger,
  info(m) {
    const on = / on (\d+) databases side by side/.exec(m)
    if (on) workers = Number(on[1])
  },
  debug(m) {
    const x =
      /^stairway slice (\d+)\/\d+ \((\d+) revisions after (\d+) replayed unchecked\): (\d+) ms, prefix (\d+) ms$/.exec(
        m,
      )
    if (x) {
      slices[Number(x[1]) - 1] = {
        revisions: Number(x[2]),
        prefixRevisions: Number(x[3]),
        ms: Number(x[4]),
        prefixMs: Number(x[5]),
      }
    }
  },
}

const spans: Record<string, { n: number; ms: number }> = {}
const unwrapped: string[] = []
const add = (label: string, ms: number) => {
  const s = (spans[label] ??= { n: 0, ms: 0 })
  s.n++
  s.ms += ms
}

type Fn = (...args: unknown[]) => unknown
function wrap(target: object, name: string, label: string): void {
  const t = target as Record<string, unknown>
  const original = t[name]
  if (typeof original !== 'function') {
    unwrapped.push(label)
    return
  }
  t[name] = async function (this: unknown, ...args: unknown[]) {
    const t0 = performance.now()
    try {
      return await (original as Fn).apply(this, args)
    } finally {
      add(label, performance.now() - t0)
    }
  }
}

/** The helper's replies carry its own step time (ms): the Python side of a step, without the pipe. */
function wrapHelperReplies(): void {
  const proto = AlembicSession.prototype as unknown as Record<string, unknown>
  const running = proto.running
  if (typeof running !== 'function') {
    unwrapped.push('python-step')
    return
  }
  const seen = new WeakSet<object>()
  proto.running = async function (this: unknown) {
    const helper = (await (running as Fn).call(this)) as Record<string, unknown>
    if (!seen.has(helper) && typeof helper.request === 'function') {
      seen.add(helper)
      const request = (helper.request as Fn).bind(helper)
      helper.request = async (command: { cmd?: string }, timeoutMs: number) => {
        const reply = (await request(command, timeoutMs)) as { ms?: number } | 'timeout'
        if (reply !== 'timeout' && typeof reply.ms === 'number' && /grade$/.test(command.cmd ?? '')) {
          add('python-step', reply.ms)
        }
        return reply
      }
    }
    return helper
  }
}

async function main(): Promise<void> {
  const req = JSON.parse(process.argv[2] ?? '{}') as ChildRequest
  wrap(SnapshotProbe.prototype, 'capture', 'capture')
  wrap(SnapshotProbe.prototype, 'diff', 'diff')
  wrap(SnapshotProbe.prototype, 'forget', 'forget')
  wrap(SnapshotProbe.prototype, 'close', 'probe-close')
  wrap(SnapshotProbe, 'connect', 'probe-connect')
  wrap(AlembicDriver.prototype, 'crossCheck', 'cross-check')
  wrap(AlembicSession.prototype, 'start', 'helper-start')
  wrap(AlembicSession.prototype, 'close', 'helper-close')
  wrap(AlembicSession.prototype, 'modelDrift', 'model-drift')
  wrap(GateDatabases.prototype, 'create', 'db-create')
  wrap(GateDatabases.prototype, 'drop', 'db-drop')
  wrapHelperReplies()

  const inputs: Record<string, string> = {
    'working-directory': req.projectDir,
    tool: req.tool,
    mode: req.mode === 'stairway-1' ? 'stairway' : req.mode,
    'replay-workers': req.mode === 'stairway-1' ? '1' : 'auto',
    postgres: req.postgres,
    // The machine's PostgreSQL, whatever its major: a bench measures speed, not a major.
    'postgres-version': 'any',
    ...(req.postgres === 'url' ? { 'database-url': req.databaseUrl } : {}),
    python: req.python,
    ...(req.config ? { config: req.config } : {}),
  }
  const rssLoadedKiB = process.resourceUsage().maxRSS
  const t0 = performance.now()
  let out: ChildResult
  try {
    const config = readConfig((name) => inputs[name])
    const report = await runGate(config, { logger: sliceLogger })
    const gateMs = performance.now() - t0
    out = {
      ok: true,
      gateMs,
      result: report.result,
      findings: report.findings.map((f) => `${f.id}${f.revision ? `@${f.revision}` : ''}`),
      notes: report.notes,
      phases: report.timings.phases as Record<string, number>,
      totalMs: report.timings.totalMs,
      ...(report.postgres ? { postgresStartMs: report.postgres.startMs } : {}),
      steps: report.steps.length,
      workers,
      slices,
      stepsMs: report.steps.reduce((n, s) => n + s.ms, 0),
      spans,
      unwrapped,
      rssLoadedKiB,
      rssPeakKiB: process.resourceUsage().maxRSS,
    }
  } catch (error) {
    out = {
      ok: false,
      error: error instanceof Error ? error.message : String(error),
      gateMs: performance.now() - t0,
      workers,
      slices,
      spans,
      unwrapped,
      rssLoadedKiB,
      rssPeakKiB: process.resourceUsage().maxRSS,
    }
  }
  // Exit once the line is out: nothing the gate left (a timer, a socket) may hold the process.
  process.stdout.write(`\n${RESULT_MARK}${JSON.stringify(out)}\n`, () => process.exit(0))
}

await main()
