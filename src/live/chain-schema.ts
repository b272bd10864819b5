// The chain's schema at given revisions, built on a fresh scratch database of the gate's server for
// one use and dropped after it: what dirty-progress.ts and schema-match.ts compare the live schema
// with. A chain that cannot be built there (a step fails, the tool's environment does not load on an
// empty database) is a reason, one line, for the finding to say; never an exception.
import { SessionStartTimeout, type MigrationDriver, type RevisionGraph } from '../drivers/driver.js'
import { GateError, oneLine } from '../errors.js'
import type { Server } from '../postgres/provider.js'
import type { ResourceTracker } from '../resource-tracker.js'
import { ExpectedSchema } from './expected-schema.js'
import type { IgnoreRule } from './ignore.js'

export interface ChainSchemaInput {
  driver: MigrationDriver
  graph: RevisionGraph
  server: Server
  ignore: readonly IgnoreRule[]
  stepTimeoutSeconds: number
  resources: ResourceTracker
}

export type ChainSchemaUse<T> = { ok: true; value: T } | { ok: false; reason: string }

/** Builds the chain up to `revisions` (empty: none), gives it to `use`, then drops the database. */
export async function withChainSchema<T>(
  input: ChainSchemaInput,
  revisions: string[],
  use: (schema: ExpectedSchema) => Promise<T>,
): Promise<ChainSchemaUse<T>> {
  const scratch = await input.server.createDatabase()
  try {
    let built
    try {
      built = await ExpectedSchema.build({
        driver: input.driver,
        url: scratch.url,
        graph: input.graph,
        revisions,
        ignore: input.ignore,
        stepTimeoutSeconds: input.stepTimeoutSeconds,
        resources: input.resources,
      })
    } catch (error) {
      if (error instanceof GateError || error instanceof SessionStartTimeout)
        return { ok: false, reason: oneLine(error) }
      throw error
    }
    if (!built.ok) return { ok: false, reason: built.reason }
    try {
      return { ok: true, value: await use(built.schema) }
    } finally {
      await built.schema.close()
    }
  } finally {
    await input.server.dropDatabase(scratch.name)
  }
}
