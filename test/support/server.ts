// A real PostgreSQL for integration tests: local binaries where installed, else the embedded npm ones.
import { localProvider } from '../../src/postgres/local.js'
import { embeddedProvider } from '../../src/postgres/embedded.js'
import type { Server } from '../../src/postgres/provider.js'
import { ResourceTracker } from '../../src/resource-tracker.js'

/** What this file's servers and processes are tracked by, as a run's are by its own. */
const resources = new ResourceTracker()

export async function startTestServer(): Promise<Server> {
  const local = localProvider({ resources })
  if ((await local.unavailableReason()) === null) return local.start()
  return embeddedProvider({ resources }).start()
}
