// The plain-SQL driver: golang-migrate and dbmate directories, read without the tools and run
// natively through pg. Nothing to install: no Go binary, no Python.
import path from 'node:path'
import type { IrreversiblePolicy } from '../../checks/replay-context.js'
import type { MigrationLayout } from '../driver.js'
import type { Logger } from '../../logger.js'
import type { FindingId } from '../../report.js'
import type {
  LiveReader,
  LiveState,
  LiveWording,
  MigrationDriver,
  MigrationSession,
  PendingSql,
  PendingSqlRequest,
  SessionOptions,
} from '../driver.js'
import { tableName } from '../live-table.js'
import { dbmateTable, readSqlLiveState, sqlLiveWording } from './live.js'
import { readDbmate } from './dbmate.js'
import type { SqlLocation } from './files.js'
import { sqlLayout } from './git-layout.js'
import { readGolangMigrate } from './golang-migrate.js'
import { sqlGraph, type SqlGraph } from './graph.js'
import type { SqlDirectory, SqlFormat } from './model.js'
import { BOOKKEEPING_TABLE, SqlSession } from './session.js'
import { SQL_WORDING } from './wording.js'

export interface SqlDriverOptions {
  projectDir: string
  /** The migrations directory and its format (detect.ts finds them). */
  location: SqlLocation
  /** Graded here too: a missing down is known without a database. */
  irreversible: IrreversiblePolicy
  logger: Logger
}

export class SqlDriver implements MigrationDriver {
  readonly tool: SqlFormat
  readonly bookkeepingTables = [BOOKKEEPING_TABLE]
  readonly chainWording
  /**
   * A duplicated version does not stop the replay: the first file of the version is replayed (the
   * finding names the other), so one run still reports what else is wrong.
   */
  readonly replayDespite: FindingId[] = ['duplicate-revision']
  private read: SqlGraph | undefined
  readonly liveWording: LiveWording

  constructor(private readonly options: SqlDriverOptions) {
    this.tool = options.location.format
    this.chainWording = SQL_WORDING[this.tool].chain
    const dir = path.relative(options.projectDir, options.location.dir).split(path.sep).join('/') || '.'
    this.liveWording = sqlLiveWording(
      this.tool,
      dir,
      tableName(this.tool === 'dbmate' ? dbmateTable() : { table: 'schema_migrations' }),
    )
  }

  /** The git checks' view: migration files, versions read from names, stale-parent by version order. */
  gitLayout(): MigrationLayout {
    return sqlLayout(this.options.location, this.options.projectDir)
  }

  /** The directory as read (once per run). */
  directory(): SqlDirectory {
    const { dir, format } = this.options.location
    return format === 'golang-migrate'
      ? readGolangMigrate(dir, this.options.projectDir)
      : readDbmate(dir, this.options.projectDir)
  }

  async graph(): Promise<SqlGraph> {
    this.read ??= sqlGraph(this.directory(), this.options.irreversible)
    this.options.logger.debug(`${this.tool}: ${this.read.nodes.length} versions in ${this.options.location.dir}`)
    return this.read
  }

  /** mode live: the live database's version table, where the tool is configured to keep it. */
  readLiveState(reader: LiveReader): Promise<LiveState> {
    return readSqlLiveState(this.tool, reader)
  }

  /** mode live: each pending version's up SQL, as the tool will send it. */
  async pendingSql(request: PendingSqlRequest): Promise<PendingSql[]> {
    const graph = await this.graph()
    return request.pending.map((node) => {
      const migration = graph.byVersion.get(node.id)
      if (!migration) return { revision: node.id, note: 'its up SQL cannot be read' }
      return { revision: node.id, sql: migration.up.map((unit) => unit.text).join('\n') }
    })
  }

  async open(databaseUrl: string, options: SessionOptions): Promise<MigrationSession> {
    const graph = await this.graph()
    const session = new SqlSession(databaseUrl, {
      byVersion: graph.byVersion,
      order: graph.nodes.map((n) => n.id),
      stepTimeoutSeconds: options.stepTimeoutSeconds,
    })
    await session.connect()
    return session
  }
}
