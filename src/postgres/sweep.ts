// Removes what runs killed outright (SIGKILL, an OOM kill, a lost runner) left on a database-url
// server: the CLI keeps no ledger and no handler runs after SIGKILL. A database or role is removed
// only when its name carries the gate's prefix and a run id, and that run is provably gone: nobody
// holds its advisory lock (run-lock.ts). A run that is still alive, on any machine, keeps its lock.
import pg from 'pg'
import { oneLine } from '../errors.js'
import type { Logger } from '../logger.js'
import { ident, PREFIX, runIdOfDatabase, runIdOfRole } from './names.js'
import { lockIfGone, unlock } from './run-lock.js'

interface Leftovers {
  databases: string[]
  role?: string
}

/** Never throws: a sweep that cannot run or finish says so in one line and the run goes on. */
export async function sweepAbandonedRuns(adminUrl: string, ownRunId: string, logger: Logger): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 })
  client.on('error', () => {})
  try {
    await client.connect()
    for (const [runId, left] of await leftoversByRun(client)) {
      if (runId === ownRunId || !(await lockIfGone(client, runId))) continue
      try {
        const { removed, problems } = await removeRun(client, left)
        const gone = `left by run ${runId}, which ended before its cleanup (nobody holds its lock)`
        if (removed.length) logger.info(`postgres: removed ${removed.join(', ')} ${gone}`)
        if (problems.length) logger.warn(`postgres: could not remove ${problems.join(', ')} ${gone}`)
      } finally {
        await unlock(client, runId)
      }
    }
  } catch (error) {
    logger.warn(`postgres: leftovers of earlier runs not swept: ${oneLine(error)}`)
  } finally {
    await client.end().catch(() => {})
  }
}

async function leftoversByRun(client: pg.Client): Promise<Map<string, Leftovers>> {
  const like = `${PREFIX.replaceAll('_', '\\_')}\\_%`
  const dbs = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [like])
  const roles = await client.query<{ rolname: string }>('SELECT rolname FROM pg_roles WHERE rolname LIKE $1', [like])
  const byRun = new Map<string, Leftovers>()
  const of = (runId: string) => byRun.get(runId) ?? byRun.set(runId, { databases: [] }).get(runId)!
  for (const { datname } of dbs.rows) {
    const runId = runIdOfDatabase(datname)
    if (runId) of(runId).databases.push(datname)
  }
  for (const { rolname } of roles.rows) {
    const runId = runIdOfRole(rolname)
    if (runId) of(runId).role = rolname
  }
  return byRun
}

/** What was removed ("scratch database x", "role y") and what could not be, with the reason. */
async function removeRun(client: pg.Client, left: Leftovers): Promise<{ removed: string[]; problems: string[] }> {
  const removed: string[] = []
  const problems: string[] = []
  for (const name of left.databases.sort()) {
    try {
      // The run's sessions outlive it when a statement still runs (pg_sleep does not notice a dead client).
      await client.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [name],
      )
      await client.query(`DROP DATABASE IF EXISTS ${ident(name)}`)
      removed.push(`scratch database ${name}`)
    } catch (error) {
      problems.push(`scratch database ${name} (${oneLine(error)})`)
    }
  }
  if (left.role && problems.length === 0) {
    try {
      await client.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1 AND pid <> pg_backend_pid()',
        [left.role],
      )
      await client.query(`DROP ROLE IF EXISTS ${ident(left.role)}`)
      removed.push(`role ${left.role}`)
    } catch (error) {
      problems.push(`role ${left.role} (${oneLine(error)})`)
    }
  }
  return { removed, problems }
}
