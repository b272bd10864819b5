// `url`: an existing server (the database-url input). The gate creates a uniquely named scratch
// database there, works only inside databases it created, and drops them all after, even on failure.
// Where the user may create roles, the migrations run as a role of the run's own (run-role.ts);
// sessions or objects of the run found in other databases fail the run (isolation.ts). Runs that
// died before their cleanup are swept by the next one (sweep.ts).
import pg from 'pg'
import { GateError, oneLine } from '../errors.js'
import { silentLogger, type Logger } from '../logger.js'
import { GateDatabases, serverVersion } from './databases.js'
import { roleObjectsElsewhere, sessionsElsewhere, type RunMarks } from './isolation.js'
import { redactCredentials, withoutCredentials } from './credentials.js'
import { ident, migrationApplicationName, newRunId, runDatabaseName, runDatabasePrefix, runRoleName } from './names.js'
import type { PostgresProvider, ProviderOptions, Server } from './provider.js'
import type { ResourceTracker } from '../resource-tracker.js'
import { holdRunLock, type RunLock } from './run-lock.js'
import { asRole, createRunRole, type RunRole } from './run-role.js'
import { sweepAbandonedRuns } from './sweep.js'

/** An error for a message: a driver's text may repeat the connection string, credentials and all. */
const said = (error: unknown) => redactCredentials(oneLine(error))

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

export function externalProvider(
  options: Pick<ProviderOptions, 'resources' | 'databaseUrl' | 'roleStatement'>,
  logger: Logger = silentLogger,
): PostgresProvider {
  return {
    name: 'url',
    async unavailableReason() {
      return options.databaseUrl ? null : 'no database-url given'
    },
    async start() {
      const t0 = performance.now()
      const u = parseUrl(options.databaseUrl)
      const adminUrl = u.toString()
      // Every credential (the userinfo password, ?password=, passfile=, sslpassword=) as *** for messages.
      const shown = redactCredentials(adminUrl)
      let version: string
      try {
        version = await serverVersion(adminUrl)
      } catch (error) {
        throw new GateError(`database-url: cannot connect to ${shown}: ${said(error)}`, 'database-url')
      }
      await assertCanCreate(adminUrl, shown)
      return startRun(adminUrl, shown, version, t0, logger, options.resources, options.roleStatement)
    },
  }
}

/**
 * One run on the server: its lock (held before anything is created, so a sweep never takes a live
 * run for a dead one), the sweep of dead runs' leftovers, its role, its scratch databases.
 */
async function startRun(
  adminUrl: string,
  shown: string,
  version: string,
  t0: number,
  logger: Logger,
  resources: ResourceTracker,
  roleStatement: ProviderOptions['roleStatement'],
): Promise<Server> {
  const runId = newRunId()
  let lock: RunLock
  try {
    lock = await holdRunLock(adminUrl, runId)
  } catch (error) {
    throw new GateError(`database-url: cannot connect to ${shown}: ${said(error)}`, 'database-url')
  }
  const recordedUrl = withoutCredentials(adminUrl)
  let role: RunRole | null = null
  const notes: string[] = []
  try {
    await sweepAbandonedRuns(adminUrl, runId, logger)
    // Recorded before it exists, like the databases: the post step drops it after them.
    const roleResource = { kind: 'role' as const, adminUrl: recordedUrl, name: runRoleName(runId) }
    resources.record(roleResource)
    const decided = await createRunRole(lock.client, adminUrl, runId, roleStatement).catch((error: unknown) => ({
      role: null,
      reason: `the run's own role could not be created (${said(error)})`,
    }))
    role = decided.role
    if (!role) {
      resources.forget(roleResource)
      notes.push(
        `isolation on the database-url server relies on its user's privileges: ${decided.reason}, so the migrations run as that user, and one that connects to another database it may write to is caught only while that session is open`,
      )
    }
  } catch (error) {
    await lock.release()
    throw error
  }
  for (const note of notes) logger.warn(note)

  const dbs = new GateDatabases(adminUrl, false, false, role?.name)
  const startMs = Math.round(performance.now() - t0)
  const tracked = new Set<string>()
  const created: string[] = []
  let count = 0
  const marks = (): RunMarks => ({
    ...(role ? { role: role.name } : {}),
    applicationNamePrefix: migrationApplicationName(runDatabasePrefix(runId)),
    created,
    ownPids: [lock.pid],
  })
  const drop = async (name: string) => {
    await dbs.drop(name)
    tracked.delete(name)
    resources.forget({ kind: 'database', adminUrl: recordedUrl, name })
  }
  // Stairway slices check after their steps side by side, all on the one lock connection: its
  // queries go one at a time (a pg client runs one query at a time; overlapping calls are deprecated).
  let onLockClient: Promise<unknown> = Promise.resolve()
  const serially = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = onLockClient.then(fn, fn)
    onLockClient = next.catch(() => {})
    return next
  }
  const escaped = async (when: string): Promise<string | null> => {
    const found = await serially(() => sessionsElsewhere(lock.client, marks()))
    if (!found.length) return null
    const databases = [...new Set(found.map((e) => e.database))].join(', ')
    const how = [...new Set(found.map((e) => e.how))].join(', ')
    return `a migration connected to database ${databases}, which the gate did not create (${how}, seen ${when}); the migrations must work only in the database whose URL the gate gives them`
  }
  let stopped = false
  const stop = async () => {
    if (stopped) return
    stopped = true
    // Every check and every drop is tried, then everything that went wrong is said in one line: a
    // scratch database or role silently left on the user's server is the one leak nobody else cleans.
    const problems: string[] = []
    const escape = await escaped('at the end of the run').catch(() => null)
    if (escape) problems.push(escape)
    const failed: string[] = []
    for (const name of [...tracked].reverse()) {
      await drop(name).catch((error: unknown) => failed.push(`${name} (${said(error)})`))
    }
    if (failed.length) problems.push(`could not drop scratch database ${failed.join(', ')} on ${shown}`)
    if (role) {
      const roleProblem = await dropRunRole(lock.client, role.name, created, failed.length > 0)
      if (roleProblem) problems.push(roleProblem)
      else resources.forget({ kind: 'role', adminUrl: recordedUrl, name: role.name })
    }
    await lock.release()
    if (problems.length) throw new GateError(`database-url: ${problems.join('; ')}`, 'database-url')
  }
  const unregister = resources.track(`scratch databases on ${shown}`, stop)
  const urlFor = (name: string) => (role ? asRole(dbs.urlFor(name), role) : dbs.urlFor(name))
  return {
    provider: 'url',
    serverVersion: version,
    startMs,
    notes,
    async createDatabase(opts) {
      // Recorded before it exists, so a run killed mid-CREATE still leaves the post step its name.
      const resource = {
        kind: 'database' as const,
        adminUrl: recordedUrl,
        name: opts?.name ?? runDatabaseName(runId, ++count),
      }
      resources.record(resource)
      created.push(resource.name)
      try {
        await dbs.create({ ...opts, name: resource.name })
      } catch (error) {
        // Created but not made private: still ours to drop.
        if (dbs.has(resource.name)) await dbs.drop(resource.name).catch(() => {})
        resources.forget(resource)
        throw new GateError(
          `database-url: cannot create a scratch database on ${shown}: ${said(error)}`,
          'database-url',
        )
      }
      tracked.add(resource.name)
      return { name: resource.name, url: urlFor(resource.name) }
    },
    dropDatabase: drop,
    urlFor,
    adminUrlFor: (name) => dbs.urlFor(name),
    async checkIsolation(step) {
      const escape = await escaped(`after ${step}`)
      if (escape) throw new GateError(`database-url: ${escape}`, 'database-url')
    },
    async stop() {
      unregister()
      await stop()
    },
  }
}

/**
 * Drops the run's role after its databases; a role that still owns something (objects a migration
 * created in another database, a scratch database that could not be dropped) stays, named in the line.
 */
async function dropRunRole(
  client: pg.Client,
  role: string,
  created: string[],
  databasesLeft: boolean,
): Promise<string | null> {
  try {
    const elsewhere = await roleObjectsElsewhere(client, role, created)
    if (elsewhere.length) {
      return `the migrations' role ${role} owns objects in database ${elsewhere.join(', ')}, which the gate did not create; could not drop role ${role} (remove them there with DROP OWNED BY ${role}, then DROP ROLE ${role})`
    }
    if (databasesLeft) return `could not drop role ${role}: it owns the scratch databases left`
    // Its sessions in other databases (an engine a migration never closed) would block nothing, but
    // they are the run's own: end them with the role.
    await client.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1 AND pid <> pg_backend_pid()',
      [role],
    )
    await client.query(`DROP ROLE IF EXISTS ${ident(role)}`)
    return null
  } catch (error) {
    return `could not drop role ${role} (${said(error)})`
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
