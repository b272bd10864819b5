// A real PostgreSQL for integration tests: local binaries where installed, else the embedded npm ones.
import { localProvider } from '../../src/postgres/local.js'
import { embeddedProvider } from '../../src/postgres/embedded.js'
import type { Server } from '../../src/postgres/provider.js'

export async function startTestServer(): Promise<Server> {
  const local = localProvider({})
  if ((await local.unavailableReason()) === null) return local.start()
  return embeddedProvider().start()
}
