// A stand-in for a gate run, in its own process so tests can signal or kill it: starts a provider
// (argv[2]: local | url | docker), creates one scratch database, prints one READY line with what it
// made, then waits for a signal. HOLD_CRASH=1 throws instead of waiting (an uncaught failure);
// HOLD_LEDGER=path turns the ledger on; HOLD_DATABASE_URL / HOLD_IMAGE configure url / docker.
import { readLedger } from '../../src/postgres/ledger.js'
import { providerByName } from '../../src/postgres/select.js'
import type { ProviderName } from '../../src/postgres/provider.js'
import { postmasterPid } from '../../src/postgres/cluster-dirs.js'
import { ResourceTracker } from '../../src/resource-tracker.js'
import { clusterDirsOf } from './leftovers.js'

const mode = (process.argv[2] ?? 'local') as ProviderName
// The run's tracker, as main.ts makes it (with a ledger) or as runGate makes it for the CLI (without).
const resources = new ResourceTracker(process.env.HOLD_LEDGER ? { ledger: process.env.HOLD_LEDGER } : {})

const server = await providerByName(mode, {
  resources,
  databaseUrl: process.env.HOLD_DATABASE_URL,
  image: process.env.HOLD_IMAGE,
}).start()
const db = await server.createDatabase()
const clusterDir = clusterDirsOf(process.pid)[0]
// A container is known by its id only through the ledger.
const container = process.env.HOLD_LEDGER
  ? readLedger(process.env.HOLD_LEDGER).find((r) => r.kind === 'container')
  : undefined
const info = {
  pid: process.pid,
  clusterDir,
  postmasterPid: clusterDir ? postmasterPid(clusterDir) : undefined,
  database: db.name,
  url: db.url,
  containerId: container?.kind === 'container' ? container.id : undefined,
}
process.stdout.write(`READY ${JSON.stringify(info)}\n`)

if (process.env.HOLD_CRASH === '1') throw new Error('hold-server: crashing on purpose with a server running')
// Keep the event loop alive until a signal arrives; the gate's own handlers do the rest.
setInterval(() => {}, 60_000)
