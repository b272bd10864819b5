// Creates and drops the gate's own databases on a server, over a short admin connection each time.
// Only names this object created can be dropped: the gate never writes to a database it did not create.
import pg from 'pg'
import { ident, uniqueName } from './names.js'

export class GateDatabases {
  private readonly created = new Set<string>()

  constructor(
    /** URL of a database used only to issue CREATE/DROP DATABASE (never written to). */
    private readonly adminUrl: string,
    /**
     * The server is the gate's own (local, embedded, docker) and PostgreSQL >= 15: copy templates
     * with STRATEGY FILE_COPY (~20 ms for a 100-table database, against 40-300 ms for the default
     * WAL_LOG). Its checkpoints cost nothing on a throwaway cluster, but would on a shared server.
     */
    private readonly fileCopy = false,
    /**
     * The server is the gate's own: when a migration dropped the admin database (`DROP DATABASE
     * postgres`), the gate goes on through template1, which every cluster has, to create and drop its
     * databases; the replay reports the drop (checks/dropped-databases.ts) instead of failing to
     * clean up. On a user's server the gate never picks another database by itself.
     */
    private readonly ownServer = false,
    /**
     * The role that owns the databases (a url run's own role, run-role.ts), whose migrations should
     * reach nothing else; none: the admin URL's user. Others lose CONNECT on them.
     */
    private readonly owner?: string,
  ) {}

  /** Set once the admin database is gone and template1 serves instead. */
  private fallback: string | undefined

  urlFor(name: string): string {
    const u = new URL(this.adminUrl)
    u.pathname = `/${encodeURIComponent(name)}`
    return u.toString()
  }

  async create(options: { name?: string; template?: string } = {}): Promise<{ name: string; url: string }> {
    const name = options.name ?? uniqueName('db')
    const template = options.template ?? 'template0'
    if (options.template && !this.created.has(options.template)) {
      throw new Error(`template database ${options.template} was not created by the gate`)
    }
    await this.admin(async (client) => {
      if (options.template) {
        // PostgreSQL copies only a database nobody is connected to, and waits 5 s for stragglers
        // before it refuses: a helper that just quit may not have left yet. The template is the
        // gate's own; whatever still sits in it is the gate's too.
        await client
          .query(
            'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
            [options.template],
          )
          .catch(() => {})
      }
      const strategy = this.fileCopy ? ' STRATEGY FILE_COPY' : ''
      const owner = this.owner ? ` OWNER ${ident(this.owner)}` : ''
      await client.query(`CREATE DATABASE ${ident(name)}${owner} TEMPLATE ${ident(template)}${strategy}`)
      this.created.add(name)
      if (this.owner) await client.query(`REVOKE CONNECT, TEMPORARY ON DATABASE ${ident(name)} FROM PUBLIC`)
      // A user's server is durable: every step commits, and each commit would wait for its WAL to reach
      // the disk (a flush per step, where the naive check flushes once). The database is thrown away, so
      // its sessions need not wait; the gate's own servers run without durability already. Speed only:
      // a server that refuses (the admin user may not own the database) changes no result.
      if (!this.ownServer) {
        await client.query(`ALTER DATABASE ${ident(name)} SET synchronous_commit = off`).catch(() => {})
      }
    })
    return { name, url: this.urlFor(name) }
  }

  async drop(name: string): Promise<void> {
    if (!this.created.has(name)) throw new Error(`refusing to drop database ${name}: the gate did not create it`)
    await this.admin(async (client) => {
      // Sessions the gate left open (a killed helper) would block DROP; they are ours, end them.
      await client.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [name],
      )
      await client.query(`DROP DATABASE IF EXISTS ${ident(name)}`)
    })
    this.created.delete(name)
  }

  /** Whether this object created `name` (and has not dropped it). */
  has(name: string): boolean {
    return this.created.has(name)
  }

  private async admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
    const connect = async (url: string) => {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 })
      try {
        await client.connect()
        return client
      } catch (error) {
        await client.end().catch(() => {})
        throw error
      }
    }
    let client: pg.Client
    const tried = this.fallback ?? this.adminUrl
    try {
      client = await connect(tried)
    } catch (error) {
      // 3D000: the database does not exist. Decided by the URL this call tried, not by the shared
      // state: calls side by side (a rebuild drops the old database while it creates the new one) may
      // both have tried the admin database before either switched to template1.
      if (!this.ownServer || tried !== this.adminUrl || (error as { code?: string }).code !== '3D000') throw error
      this.fallback = this.urlFor('template1')
      client = await connect(this.fallback)
    }
    try {
      return await fn(client)
    } finally {
      await client.end().catch(() => {})
    }
  }
}

/** 15 from "15.18", 18 from "18beta1". */
export function majorOf(version: string): number {
  return Number(/^\d+/.exec(version)?.[0] ?? 0)
}

/** Runs one query on a fresh connection and returns the server version ("15.18"). */
export async function serverVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 })
  await client.connect()
  try {
    const r = await client.query<{ server_version: string }>('SHOW server_version')
    return (r.rows[0]?.server_version ?? '').split(' ')[0] ?? ''
  } finally {
    await client.end().catch(() => {})
  }
}
