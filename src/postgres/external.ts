// `url`: an existing server (the database-url input). The gate creates a uniquely named scratch
// database there, works only inside databases it created, and drops them all after, even on failure.
import pg from 'pg'
import { GateError, oneLine } from '../errors.js'
import { registerCleanup } from './cleanup.js'
import { GateDatabases, serverVersion } from './databases.js'
import { forgetResource, recordResource, withoutPassword } from './ledger.js'
import { uniqueName } from './names.js'
import type { PostgresProvider, Server } from './provider.js'

/** The password replaced by *** for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    return '(unparseable URL)'
  }
}

function parseUrl(raw: string | undefined): URL {
  if (!raw) throw new GateError('database-url: required when postgres is "url"', 'database-url')
  let u: URL
  try {
    u = new URL(raw)
  } catch {
    throw new GateError(
      'database-url: not a URL (expected postgresql://user:password@host:port/database)',
      'database-url',
    )
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw new GateError(`database-url: scheme ${u.protocol} is not postgresql://`, 'database-url')
  }
  return u
}

export function externalProvider(options: { databaseUrl?: string }): PostgresProvider {
  return {
    name: 'url',
    async unavailableReason() {
      return options.databaseUrl ? null : 'no database-url given'
    },
    async start() {
      const t0 = performance.now()
      const u = parseUrl(options.databaseUrl)
      const adminUrl = u.toString()
      const shown = redactUrl(adminUrl)
      let version: string
      try {
        version = await serverVersion(adminUrl)
      } catch (error) {
        throw new GateError(`database-url: cannot connect to ${shown}: ${oneLine(error)}`, 'database-url')
      }
      await assertCanCreate(adminUrl, shown)
      const dbs = new GateDatabases(adminUrl)
      const startMs = Math.round(performance.now() - t0)
      const tracked = new Set<string>()
      const drop = async (name: string) => {
        await dbs.drop(name)
        tracked.delete(name)
        forgetResource({ kind: 'database', adminUrl: withoutPassword(adminUrl), name })
      }
      const stop = async () => {
        // Try every database, then say which stayed: a scratch database silently left on the user's
        // server is the one leak nobody else will clean (the ledger keeps it for the post step).
        const failed: string[] = []
        for (const name of [...tracked].reverse()) {
          await drop(name).catch((error: unknown) => failed.push(`${name} (${oneLine(error)})`))
        }
        if (failed.length) {
          throw new GateError(
            `database-url: could not drop scratch database ${failed.join(', ')} on ${shown}`,
            'database-url',
          )
        }
      }
      const unregister = registerCleanup(`scratch databases on ${shown}`, stop)
      const server: Server = {
        provider: 'url',
        serverVersion: version,
        startMs,
        async createDatabase(opts) {
          // Recorded before it exists, so a run killed mid-CREATE still leaves the post step its name.
          const resource = {
            kind: 'database' as const,
            adminUrl: withoutPassword(adminUrl),
            name: opts?.name ?? uniqueName('db'),
          }
          recordResource(resource)
          let created
          try {
            created = await dbs.create({ ...opts, name: resource.name })
          } catch (error) {
            forgetResource(resource)
            throw new GateError(
              `database-url: cannot create a scratch database on ${shown}: ${oneLine(error)}`,
              'database-url',
            )
          }
          tracked.add(created.name)
          return created
        },
        dropDatabase: drop,
        urlFor: (name) => dbs.urlFor(name),
        async stop() {
          unregister()
          await stop()
        },
      }
      return server
    },
  }
}

async function assertCanCreate(adminUrl: string, shown: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 })
  await client.connect()
  try {
    const r = await client.query<{ can: boolean }>(
      'SELECT rolcreatedb OR rolsuper AS can FROM pg_roles WHERE rolname = current_user',
    )
    if (!r.rows[0]?.can) {
      throw new GateError(
        `database-url: the user of ${shown} lacks CREATEDB; the gate needs it to create (and drop) its own scratch database`,
        'database-url',
      )
    }
  } finally {
    await client.end().catch(() => {})
  }
}
