// Live drift, for the live phase: the schema the chain builds at the live revision, on a scratch
// database of the gate's own server (expected-schema.ts), against the live database's, read through
// the live connection's read-only queries (drift.ts). What it cannot compare it says: a database
// with no revision or a dirty one has its own finding (unversioned-database, dirty-database), an
// unknown revision too (unknown-revision); a chain that fails to build there is a live-drift error,
// since a check that cannot run must not pass.
import {
  SessionStartTimeout,
  type LiveQuery,
  type LiveState,
  type MigrationDriver,
  type RevisionGraph,
} from '../drivers/driver.js'
import { GateError, oneLine } from '../errors.js'
import { liveDriftUnchecked } from '../findings/live-drift.js'
import type { GateConfig } from '../inputs.js'
import type { Server } from '../postgres/provider.js'
import type { Finding } from '../report.js'
import type { ResourceTracker } from '../resource-tracker.js'
import { liveDriftFindings } from './drift.js'
import { ExpectedSchema } from './expected-schema.js'

export async function compareLiveSchema(input: {
  config: GateConfig
  driver: MigrationDriver
  graph: RevisionGraph
  state: LiveState
  server: Server
  resources: ResourceTracker
  /** The live connection's query: each call its own read-only transaction. */
  live: LiveQuery
}): Promise<{ findings: Finding[]; notes: string[] }> {
  const { config, driver, graph, state, server } = input
  const severity = config.liveDriftSeverity
  if (severity === 'off')
    return { findings: [], notes: ['live-drift off (live-drift-severity: off): the live schema was not compared'] }
  if (state.revisions.length === 0) return { findings: [], notes: [] }
  if (state.dirty !== undefined) {
    return { findings: [], notes: [`live-drift skipped: version ${state.dirty} is marked dirty (see dirty-database)`] }
  }
  const scratch = await server.createDatabase()
  try {
    const unchecked = (reason: string, place: { revision?: string; file?: string; line?: number } = {}) => ({
      findings: [liveDriftUnchecked({ revisions: state.revisions, reason }, place)],
      notes: [],
    })
    let built
    try {
      built = await ExpectedSchema.build({
        driver,
        url: scratch.url,
        graph,
        revisions: state.revisions,
        ignore: config.liveIgnore,
        stepTimeoutSeconds: config.stepTimeoutSeconds,
        resources: input.resources,
      })
    } catch (error) {
      // The tool's environment does not load on an empty database (a schema only production has).
      if (error instanceof GateError || error instanceof SessionStartTimeout) {
        return unchecked(oneLine(error), error instanceof SessionStartTimeout && error.file ? { file: error.file } : {})
      }
      throw error
    }
    if (!built.ok) {
      // No revision named: the chain lacks the live one, which unknown-revision reports.
      if (built.revision === undefined) return { findings: [], notes: [`live-drift skipped: ${built.reason}`] }
      const node = graph.nodes.find((n) => n.id === built.revision)
      const place = node ? { revision: node.id, file: node.file, line: node.line } : { revision: built.revision }
      return unchecked(built.reason, place)
    }
    try {
      const stamp = driver.liveWording?.stamp
      const compared = await liveDriftFindings({
        live: (sql) => input.live(sql),
        versionTables: [state.table],
        expected: built.schema,
        severity,
        ...(stamp ? { stamp: (revisions: string[]) => stamp(revisions.join(' ')) } : {}),
      })
      return { findings: compared.findings, notes: compared.notes }
    } finally {
      await built.schema.close()
    }
  } finally {
    await server.dropDatabase(scratch.name)
  }
}
