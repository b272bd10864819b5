// The prediction of mode live (issue 14, item 6): will `upgrade head` work on the live database, and
// does the release's rollback plan? The pending migrations are applied one by one, through the tool's
// own session, to a copy of the live schema (schema-copy.ts: pg_dump --schema-only and the version
// table's rows, never data) on a scratch database of the gate's server; then their downgrades, newest
// first. A failing upgrade is pending-upgrade-failed, said with the live-drift differences that
// explain it; a failing downgrade pending-rollback-failed. The live database is only read, by pg_dump.
// The caller creates the scratch database and drops it; everything opened here is closed here.
import pg from 'pg'
import type { LiveState, MigrationDriver, MigrationSession, RevisionNode, StepResult } from '../drivers/driver.js'
import { pendingRollbackFailed } from '../findings/pending-rollback-failed.js'
import { pendingUpgradeFailed } from '../findings/pending-upgrade-failed.js'
import type { Logger } from '../logger.js'
import type { Finding } from '../report.js'
import type { ResourceTracker } from '../resource-tracker.js'
import { scrub } from '../scrub.js'
import { driftExplaining } from './drift-explains.js'
import { choosePgDump, pgDumpCandidates } from './pg-dump.js'
import { copyLiveSchema, type SchemaCopy } from './schema-copy.js'

export interface PendingPredictionInput {
  driver: MigrationDriver
  /** What readLiveState read on the live database. */
  state: LiveState
  /** What `upgrade head` applies there, in order (liveStanding(graph, state).pending). */
  pending: readonly RevisionNode[] | null
  /** The live database's URL as pg connects to it (splitLiveUrl(...).connect): credentials inside, tool parameters out. */
  liveUrl: string
  /** The live URL's tool parameters (splitLiveUrl(...).toolParams), to read the copy's version table as the live one's. */
  toolParams: ReadonlyMap<string, string>
  /** The live server's version as `SHOW server_version` says it ("15.8"): pg_dump must be of that major or newer. */
  serverVersion: string
  /** An empty scratch database of the gate's server (server.createDatabase().url); the caller drops it. */
  scratchUrl: string
  /** live-drift's findings, when it ran: those naming what a failing migration trips on explain it. */
  drift: readonly Finding[]
  stepTimeoutSeconds: number
  resources: ResourceTracker
  logger: Logger
  /** Where to look for pg_dump (default: /usr/lib/postgresql/N/bin, /usr/pgsql-N/bin, PATH). */
  pgDumpPaths?: string[]
}

export interface PendingPrediction {
  /** False when the prediction could not run: `notes` say why (never a pass pretending it ran). */
  /** Why it could not run, when it could not (one clause). */
  skipped?: string
  ran: boolean
  findings: Finding[]
  notes: string[]
  /** The pending revisions applied on the copy, in order (up to the one that failed). */
  applied: string[]
  /** Those whose downgrade ran on the copy, newest first. */
  rolledBack: string[]
  /** The pg_dump used ("17.2"). */
  pgDump?: string
  /** Every pg_dump command line run (program and arguments): never a credential. */
  dumpArgv: string[][]
  /** Copying the schema, applying the pending migrations, rolling them back (ms). */
  timings: { copyMs: number; upgradeMs: number; rollbackMs: number }
}

const SKIPPED = 'the prediction of the pending migrations (pending-upgrade-failed) was skipped'

export async function predictPendingUpgrade(input: PendingPredictionInput): Promise<PendingPrediction> {
  const result: PendingPrediction = {
    ran: false,
    findings: [],
    notes: [],
    applied: [],
    rolledBack: [],
    dumpArgv: [],
    timings: { copyMs: 0, upgradeMs: 0, rollbackMs: 0 },
  }
  const skip = (why: string) => {
    result.notes.push(`${SKIPPED}: ${why}`)
    result.skipped = why
    return result
  }
  const { state, pending } = input
  if (!state.exists) return skip(`the live database has no version table (${state.table})`)
  if (state.dirty) return skip(`the live database is marked dirty at ${state.dirty}`)
  if (pending === null) return skip('the way from the live revision to head is unknown')
  if (pending.length === 0) return result
  const major = Number.parseInt(input.serverVersion, 10)
  if (!Number.isFinite(major)) return skip(`the live server's version (${input.serverVersion}) could not be read`)
  const chosen = choosePgDump(major, input.pgDumpPaths ?? pgDumpCandidates())
  if ('reason' in chosen) return skip(chosen.reason)
  result.pgDump = chosen.binary.version

  let copy: SchemaCopy
  const t0 = performance.now()
  try {
    copy = await copyLiveSchema({
      pgDump: chosen.binary,
      liveUrl: input.liveUrl,
      versionTable: state.table,
      scratchUrl: input.scratchUrl,
      resources: input.resources,
    })
    result.dumpArgv = copy.argv
  } catch (error) {
    return skip(`copying the live schema failed: ${scrub(error instanceof Error ? error.message : String(error))}`)
  } finally {
    result.timings.copyMs = Math.round(performance.now() - t0)
  }
  const incomplete = incompleteCopy(copy)
  if (incomplete) result.notes.push(`the copy of the live schema is incomplete: ${incomplete}`)

  // The copy must stand where production stands, or the tool would apply something else.
  const copied = await copyStanding(input).catch((e: unknown) => (e instanceof Error ? e.message : String(e)))
  if (typeof copied === 'string') return skip(`the copy's version table could not be read: ${scrub(copied)}`)
  if (copied && !sameSet(copied, state.revisions)) {
    return skip(
      `the copy's version table holds ${copied.join(', ') || 'nothing'}, not the live ${state.revisions.join(', ')}`,
    )
  }
  let session: MigrationSession
  try {
    session = await input.driver.open(input.scratchUrl, {
      stepTimeoutSeconds: input.stepTimeoutSeconds,
      resources: input.resources,
    })
  } catch (error) {
    return skip(
      `the migration tool could not start on the copy: ${scrub(error instanceof Error ? error.message : String(error))}`,
    )
  }
  try {
    result.ran = true
    const t1 = performance.now()
    for (const [i, node] of pending.entries()) {
      const step = await session.upgrade(node.id)
      if (step.ok) {
        result.applied.push(node.id)
        continue
      }
      const error = stepText(step)
      const liveRevision = standingOf(state)
      const stopsAt = result.applied.at(-1) ?? liveRevision
      if (incomplete) {
        result.notes.push(
          `${what(node)} fails on the copy of the live schema (${error}), which lacks what the scratch server could not build: not judged`,
        )
      } else {
        result.findings.push(
          pendingUpgradeFailed(
            {
              what: what(node),
              error,
              upgrade: input.driver.liveWording?.upgrade ?? 'upgrade head',
              stopsAt,
              liveRevision,
              notRun: pending.length - i - 1,
              drift: driftExplaining(step.error?.message ?? '', input.drift),
              ...(step.error?.hint ? { hint: step.error.hint } : {}),
            },
            placeOf(node, step, false),
          ),
        )
      }
      break
    }
    result.timings.upgradeMs = Math.round(performance.now() - t1)
    const t2 = performance.now()
    const back = [...result.applied].reverse()
    for (const [i, id] of back.entries()) {
      const node = pending.find((n) => n.id === id)!
      const step = await session.downgrade(id)
      if (step.ok) {
        result.rolledBack.push(id)
        continue
      }
      const finding = pendingRollbackFailed(
        {
          what: what(node),
          error: stepText(step),
          refuses: step.error?.kind === 'not-implemented',
          notRun: back.length - i - 1,
          ...(step.error?.hint ? { hint: step.error.hint } : {}),
        },
        placeOf(node, step, true),
      )
      if (incomplete) result.notes.push(`${finding.message} (on an incomplete copy: not judged)`)
      else result.findings.push(finding)
      break
    }
    result.timings.rollbackMs = Math.round(performance.now() - t2)
  } finally {
    await session.close()
  }
  input.logger.info(
    `live prediction: ${result.applied.length} of ${pending.length} pending applied on a copy of the live schema, ${result.rolledBack.length} rolled back (pg_dump ${result.pgDump}, copy ${result.timings.copyMs} ms)`,
  )
  return result
}

/** Why a failing migration on this copy proves nothing about production, or undefined when the copy is whole. */
function incompleteCopy(copy: SchemaCopy): string | undefined {
  const parts: string[] = []
  if (copy.missingExtensions.length > 0) {
    parts.push(
      `the scratch server lacks the extension${copy.missingExtensions.length > 1 ? 's' : ''} ${copy.missingExtensions.join(', ')}`,
    )
  }
  if (copy.refused.count > 0) {
    parts.push(
      `it refused ${copy.refused.count} statement${copy.refused.count > 1 ? 's' : ''} of the dump (${copy.refused.examples.join('; ')})`,
    )
  }
  return parts.length > 0 ? `${parts.join(', and ')}; a migration failing there is noted, not judged` : undefined
}

/** Where the live database stands, in a few words: its heads, or the latest version where every applied one is a row. */
function standingOf(state: LiveState): string {
  if (state.revisions.length === 0) return 'base'
  return state.applied === 'each' ? state.revisions.at(-1)! : state.revisions.join(', ')
}

function what(node: RevisionNode): string {
  return `revision ${node.id}${node.message ? ` (${node.message})` : ''}`
}

function stepText(step: StepResult): string {
  return (step.error?.message ?? 'it failed').replace(/\.\s*$/, '')
}

/** Where the error surfaced, else the migration (its downgrade for a rollback). */
function placeOf(node: RevisionNode, step: StepResult, down: boolean) {
  const e = step.error
  if (e?.file) return { revision: node.id, file: e.file, ...(e.line ? { line: e.line } : {}) }
  if (down) return { revision: node.id, file: node.downgradeFile ?? node.file, line: node.downgradeLine ?? node.line }
  return { revision: node.id, file: node.file, line: node.line }
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x))
}

/** The copy's version table as the driver reads the live one (null for a driver that cannot). */
async function copyStanding(input: PendingPredictionInput): Promise<string[] | null> {
  if (!input.driver.readLiveState) return null
  const client = new pg.Client({ connectionString: input.scratchUrl, application_name: 'migration-gate-copy' })
  client.on('error', () => {})
  await client.connect()
  try {
    const query = async <R extends object>(sql: string, params: unknown[] = []) =>
      (await client.query<R>(sql, params)).rows
    return (await input.driver.readLiveState({ query, toolParams: input.toolParams })).revisions
  } finally {
    await client.end().catch(() => {})
  }
}
