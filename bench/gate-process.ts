// One gate run the way users run it: `node dist/cli.js check PROJECT --mode M ...` as a process,
// timed from spawn to exit, with the process's peak RSS (a preloaded module writes
// process.resourceUsage().maxRSS to a file on exit: the gate's node process alone, not the Python
// helper it starts) and the JSON report it wrote (findings by id, phase timings).
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { runTimed, tail } from './children.js'
import type { FindingCounts } from './expected-findings.js'

/** stairway: replay-workers auto (what users get); stairway-1: the stairway on one database. */
export type GateMode = 'static' | 'roundtrip' | 'stairway' | 'stairway-1'
export const GATE_MODES: GateMode[] = ['static', 'roundtrip', 'stairway', 'stairway-1']

export interface GateServer {
  /** url: an already running server (a CI service container); local: the gate starts its own. */
  kind: 'url' | 'local'
  url?: string
  pgBin?: string
}

export interface GateRun {
  ok: boolean
  /** Spawn to exit. */
  ms: number
  exitCode: number | null
  rssKiB: number
  findings: FindingCounts
  phases: Record<string, number>
  /** Revisions in the chain, as the report counts them. */
  revisions: number
  /** Databases the stairway ran on side by side, when the gate's log says (else 1). */
  databases: number
  error?: string
}

const HOOK = `import { writeFileSync } from 'node:fs'
process.on('exit', () => {
  const file = process.env.MG_BENCH_RSS_FILE
  if (file) writeFileSync(file, String(process.resourceUsage().maxRSS))
})
`

/** Writes the preloaded module into dir; returns its file URL for `node --import`. */
export function writeRssHook(dir: string): string {
  const file = path.join(dir, 'rss-on-exit.mjs')
  writeFileSync(file, HOOK)
  return pathToFileURL(file).href
}

export async function runGateProcess(options: {
  cli: string
  hook: string
  projectDir: string
  mode: GateMode
  server: GateServer
  python: string
  workDir: string
  config?: string
  extraArgs?: string[]
}): Promise<GateRun> {
  const { mode, server } = options
  const report = path.join(options.workDir, `report-${process.pid}.json`)
  const rssFile = path.join(options.workDir, `rss-${process.pid}`)
  rmSync(report, { force: true })
  rmSync(rssFile, { force: true })
  const args = [
    '--import',
    options.hook,
    options.cli,
    'check',
    options.projectDir,
    '--mode',
    mode === 'stairway-1' ? 'stairway' : mode,
    '--replay-workers',
    mode === 'stairway-1' ? '1' : 'auto',
    '--postgres',
    server.kind,
    // The machine's PostgreSQL, whatever its major: a bench measures speed, not a major.
    '--postgres-version',
    'any',
    '--python',
    options.python,
    '--report-json',
    report,
    ...(server.kind === 'url' && server.url ? ['--database-url', server.url] : []),
    ...(server.kind === 'local' && server.pgBin ? ['--pg-bin', server.pgBin] : []),
    ...(options.config ? ['--config', options.config] : []),
    ...(options.extraArgs ?? []),
  ]
  const done = await runTimed(process.execPath, args, {
    cwd: options.projectDir,
    env: { ...process.env, MG_BENCH_RSS_FILE: rssFile, NO_COLOR: '1' },
  })
  const rssKiB = Number(readOr(rssFile, 'NaN'))
  const parsed = JSON.parse(readOr(report, 'null')) as {
    findings?: Array<{ id: string }>
    timings?: { phases?: Record<string, number> }
    chain?: { revisions?: number }
  } | null
  rmSync(report, { force: true })
  rmSync(rssFile, { force: true })
  // 0 pass, 1 findings of severity error: both are a finished run. 2 and 3 are not.
  if ((done.code !== 0 && done.code !== 1) || parsed === null) {
    return {
      ok: false,
      ms: done.ms,
      exitCode: done.code,
      rssKiB,
      findings: {},
      phases: {},
      revisions: NaN,
      databases: 1,
      error: `exit ${done.code ?? done.signal}: ${tail(done.stderr || done.stdout)}`,
    }
  }
  const findings: FindingCounts = {}
  for (const f of parsed.findings ?? []) findings[f.id] = (findings[f.id] ?? 0) + 1
  const side = / on (\d+) databases side by side/.exec(done.stdout + done.stderr)
  return {
    ok: true,
    ms: done.ms,
    exitCode: done.code,
    rssKiB,
    findings,
    phases: parsed.timings?.phases ?? {},
    revisions: parsed.chain?.revisions ?? NaN,
    databases: side ? Number(side[1]) : 1,
  }
}

function readOr(file: string, fallback: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return fallback
  }
}
