// unknown-revision's "the revision whose schema the database actually matches": with the live revision
// unknown to the chain there is no revision to build to, so the chain is built from an empty database
// one step at a time (ExpectedSchema's search, cheapest first: it stops at the end of the first run of
// equal schemas) until a schema equals the live one. That revision is the one to stamp; none: say so.
import type { LiveQuery, LiveState, LiveWording } from '../drivers/driver.js'
import type { SchemaMatch } from '../findings/unknown-revision.js'
import { liveStanding } from './pending.js'
import { withChainSchema, type ChainSchemaInput } from './chain-schema.js'
import { readLiveSchema } from './drift.js'

/** Undefined when every live revision is the chain's (live-drift compares those). */
export async function matchingRevision(
  input: ChainSchemaInput & { state: LiveState; live: LiveQuery; wording: LiveWording },
): Promise<SchemaMatch | undefined> {
  const { state, graph } = input
  if (liveStanding(graph, state).unknown.length === 0) return undefined
  const used = await withChainSchema(input, [], async (expected): Promise<SchemaMatch> => {
    const live = await readLiveSchema((sql) => input.live(sql), [state.table], expected.ignore)
    const matches = await expected.matching(live.fingerprint)
    const stopped = expected.searchStopped
    // Revisions that change no schema match together: the latest of them is the likelier (they ran).
    const last = matches.at(-1)
    if (!last) return { none: true, searched: stopped ?? `every schema from the empty database to head was compared` }
    const name = (revisions: string[]) => (revisions.length > 0 ? revisions.join(', ') : 'base')
    return {
      revisions: last.revisions.length > 0 ? last.revisions : ['base'],
      alsoMatching: matches.filter((m) => m !== last).map((m) => name(m.revisions)),
      stamp: input.wording.stamp(name(last.revisions)),
    }
  })
  return used.ok ? used.value : { unknown: used.reason }
}
