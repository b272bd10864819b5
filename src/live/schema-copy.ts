// The copy the prediction runs the pending migrations on: the live database's schema, never its
// data, restored on a scratch database of the gate's own server, with the tool's version table and
// exactly its rows, so the tool stands where it stands in production. Two pg_dumps of the live
// database (pg-dump.ts): the whole schema, and the version table's rows alone. The restore goes
// through pg on the scratch database (no psql needed); what the scratch server cannot build (an
// extension it lacks, a newer server's syntax) is left out and said, and the caller decides what a
// failing migration on such a copy is worth.
import pg from 'pg'
import { clipMiddle } from '../clip.js'
import { splitStatements } from '../drivers/sql/split.js'
import type { ResourceTracker } from '../resource-tracker.js'
import { type PgDumpBinary, runPgDump } from './pg-dump.js'

export interface SchemaCopy {
  /** Statements of the dump the scratch server refused (not counting SET lines of a newer pg_dump), with the first errors. */
  refused: { count: number; examples: string[] }
  /** Extensions the dump creates that the scratch server does not offer. */
  missingExtensions: string[]
  /** Every pg_dump command line run (program and arguments), for the proof that none carries a credential. */
  argv: string[][]
  ms: number
}

/** "public.alembic_version" -> a pg_dump --table pattern naming exactly that table (quoted: no wildcard). */
export function exactTablePattern(table: string): string {
  const dot = table.indexOf('.')
  const quote = (s: string) => `"${s.replaceAll('"', '""')}"`
  return dot > 0 ? `${quote(table.slice(0, dot))}.${quote(table.slice(dot + 1))}` : quote(table)
}

/** The dump without psql's meta-commands (`\restrict KEY` of recent pg_dumps): pg runs SQL only. */
export function withoutMetaCommands(dump: string): string {
  return dump
    .split('\n')
    .filter((line) => !line.startsWith('\\'))
    .join('\n')
}

/** Extensions a dump creates ("CREATE EXTENSION IF NOT EXISTS postgis WITH SCHEMA public;"). */
export function extensionsIn(dump: string): string[] {
  return [...dump.matchAll(/^CREATE EXTENSION IF NOT EXISTS ("(?:[^"]|"")+"|[^\s;]+)/gm)].map((m) =>
    m[1]!.startsWith('"') ? m[1]!.slice(1, -1).replaceAll('""', '"') : m[1]!,
  )
}

/**
 * Copies the live schema and its version table's rows onto `scratchUrl` (an empty scratch database
 * the caller created and drops). Throws when a pg_dump fails (its scrubbed stderr) or the version
 * rows cannot be restored: without the same standing there is nothing to predict.
 */
export async function copyLiveSchema(input: {
  pgDump: PgDumpBinary
  liveUrl: string
  /** The version table as LiveState names it: schema.table. */
  versionTable: string
  scratchUrl: string
  resources: ResourceTracker
}): Promise<SchemaCopy> {
  const t0 = performance.now()
  const common = ['--no-owner', '--no-privileges', '--no-tablespaces', '--no-security-labels']
  const schema = await runPgDump(
    input.pgDump,
    input.liveUrl,
    ['--schema-only', '--no-publications', '--no-subscriptions', ...common],
    input.resources,
  )
  // The version table's rows only: --data-only with --table reads no other table's data.
  const rows = await runPgDump(
    input.pgDump,
    input.liveUrl,
    ['--data-only', '--inserts', `--table=${exactTablePattern(input.versionTable)}`, ...common],
    input.resources,
  )
  const client = new pg.Client({ connectionString: input.scratchUrl, application_name: 'migration-gate-copy' })
  client.on('error', () => {})
  await client.connect()
  try {
    const wanted = extensionsIn(schema.sql)
    const available = await client.query<{ name: string }>('SELECT name FROM pg_catalog.pg_available_extensions')
    const offered = new Set(available.rows.map((r) => r.name))
    const missingExtensions = wanted.filter((e) => !offered.has(e))
    const refused = await restore(client, withoutMetaCommands(schema.sql))
    // The rows' dump names its table schema-qualified: the empty search_path the schema's left is no matter.
    const failed = await restore(client, withoutMetaCommands(rows.sql))
    if (failed.count > 0) {
      throw new Error(`the version table's rows could not be restored on the copy: ${failed.examples[0]}`)
    }
    return { refused, missingExtensions, argv: [schema.argv, rows.argv], ms: Math.round(performance.now() - t0) }
  } finally {
    await client.end().catch(() => {})
  }
}

/**
 * Runs a dump on the scratch database: whole first (one round trip; it is one implicit transaction),
 * and statement by statement only when that fails, keeping what the server accepts.
 */
async function restore(client: pg.Client, sql: string): Promise<{ count: number; examples: string[] }> {
  try {
    await client.query(sql)
    return { count: 0, examples: [] }
  } catch {
    // Rolled back whole: redo it one statement at a time.
  }
  const examples: string[] = []
  let count = 0
  for (const s of splitStatements(sql)) {
    const text = sql.slice(s.start, s.end)
    try {
      await client.query(text)
    } catch (error) {
      // A newer pg_dump's session settings (SET transaction_timeout) are nothing the schema needs.
      if (s.keyword === 'set') continue
      count++
      if (examples.length < 3) {
        const what = text.split('\n', 1)[0]!.slice(0, 120)
        examples.push(clipMiddle(`${what}: ${error instanceof Error ? error.message : String(error)}`, 300))
      }
    }
  }
  return { count, examples }
}
