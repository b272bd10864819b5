// mode live for golang-migrate and dbmate: where each keeps its applied versions on the live
// database, as each is configured (golang-migrate: the URL's x-migrations-table; dbmate:
// DBMATE_MIGRATIONS_TABLE), what the rows mean, and the commands the live findings' fixes name.
import type { LiveReader, LiveState, LiveWording } from '../driver.js'
import { readVersionTable, tableName, type VersionTable } from '../live-table.js'
import type { SqlFormat } from './model.js'

/** golang-migrate: x-migrations-table names one table, unless x-migrations-table-quoted says it is written "schema"."table". */
export function golangMigrateTable(params: ReadonlyMap<string, string>): VersionTable {
  const name = params.get('x-migrations-table') || 'schema_migrations'
  const quoted = ['1', 'true', 't'].includes((params.get('x-migrations-table-quoted') ?? '').toLowerCase())
  const m = quoted ? (/^"([^"]+)"\."([^"]+)"$/.exec(name) ?? /^([^."]+)\.([^."]+)$/.exec(name)) : null
  if (m?.[1] && m[2]) return { schema: m[1], table: m[2] }
  return { table: quoted ? name.replace(/^"(.*)"$/, '$1') : name }
}

/** dbmate: DBMATE_MIGRATIONS_TABLE (or --migrations-table), schema-qualified or not. */
export function dbmateTable(env: NodeJS.ProcessEnv = process.env): VersionTable {
  const name = env.DBMATE_MIGRATIONS_TABLE?.trim() || 'schema_migrations'
  const dot = name.indexOf('.')
  return dot > 0 ? { schema: name.slice(0, dot), table: name.slice(dot + 1) } : { table: name }
}

export async function readSqlLiveState(format: SqlFormat, reader: LiveReader): Promise<LiveState> {
  if (format === 'golang-migrate') {
    const where = golangMigrateTable(reader.toolParams)
    const read = await readVersionTable(reader, where, ['version', 'dirty'])
    const rows = read?.rows ?? []
    const dirty = rows.find((r) => r.dirty === 'true')?.version
    return {
      table: read?.name ?? tableName(where),
      exists: read !== null,
      revisions: rows.map((r) => r.version).filter((v): v is string => Boolean(v)),
      applied: 'latest',
      ...(dirty ? { dirty } : {}),
      notes: [],
    }
  }
  const where = dbmateTable()
  const read = await readVersionTable(reader, where, ['version'], 'version')
  return {
    table: read?.name ?? tableName(where),
    exists: read !== null,
    revisions: (read?.rows ?? []).map((r) => r.version).filter((v): v is string => Boolean(v)),
    applied: 'each',
    notes: [],
  }
}

/** `dir`: the migrations directory relative to the project (golang-migrate's -path). */
export function sqlLiveWording(format: SqlFormat, dir: string, table: string): LiveWording {
  if (format === 'golang-migrate') {
    const migrate = `migrate -path ${dir} -database "$DATABASE_URL"`
    return {
      upgrade: `${migrate} up`,
      stamp: (version) => `\`${migrate} force ${version}\``,
      force: (version) => `${migrate} force ${version}`,
    }
  }
  return {
    upgrade: 'dbmate up',
    // dbmate has no stamp: a row per applied version is what it reads.
    stamp: (version) =>
      `\`INSERT INTO ${table} (version) VALUES ('${version}')\` (and a row for each version before it)`,
  }
}
