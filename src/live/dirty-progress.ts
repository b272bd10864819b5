// dirty-database's "what part of the dirty version's up SQL is visible in the schema": the live schema
// against the one the chain builds at the version before the dirty one. What the live database has
// beyond it is what that version's up SQL did before it stopped (or changes by hand, which the user
// tells apart from the file); nothing beyond it: it failed before changing the schema. That tells
// which `migrate force` is right. The live side is one snapshot statement, read only.
import type { LiveQuery, LiveState } from '../drivers/driver.js'
import type { DirtyProgress } from '../findings/dirty-database.js'
import { withChainSchema, type ChainSchemaInput } from './chain-schema.js'
import { liveChanges, readLiveSchema } from './drift.js'
import { versionBefore } from './pending.js'

/** Undefined when the database is not dirty, or its dirty version is not one of the chain's. */
export async function dirtyProgress(
  input: ChainSchemaInput & { state: LiveState; live: LiveQuery },
): Promise<DirtyProgress | undefined> {
  const { state, graph } = input
  if (state.dirty === undefined || !graph.nodes.some((n) => n.id === state.dirty)) return undefined
  const before = versionBefore(graph, state.dirty)
  const used = await withChainSchema(input, before ? [before] : [], async (expected) => {
    const live = await readLiveSchema((sql) => input.live(sql), [state.table], expected.ignore)
    return liveChanges(expected.target, live).changes.map((c) => c.message)
  })
  const at = before ?? 'base (no version)'
  return used.ok ? { before: at, differences: used.value } : { unknown: used.reason }
}
