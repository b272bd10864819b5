// database-dropped: a migration dropped a database it did not create (`DROP DATABASE postgres` in
// an autocommit block). On the deploy server that is a database other applications rely on.
import { build, type FindingEntry, type Place } from './entry.js'
import type { Finding } from '../report.js'

export const DATABASE_DROPPED: FindingEntry<'database-dropped'> = {
  id: 'database-dropped',
  severity: 'error',
  checked: 'replay',
  happened: 'a migration drops a database it did not create (`DROP DATABASE postgres` in an autocommit block)',
  seen: 'the deploy drops a database of the server with everything in it',
  revisionScoped: true,
}

export function databaseDropped(
  facts: { direction: 'upgrade' | 'downgrade'; revision: string; names: string[] },
  place: Place,
): Finding {
  const one = facts.names.length === 1
  return build(
    DATABASE_DROPPED,
    {
      message: `The ${facts.direction} of ${facts.revision} dropped the database${one ? '' : 's'} ${facts.names.map((n) => `\`${n}\``).join(', ')}, which the migrations did not create. On the deploy server it would drop ${one ? 'that database' : 'those databases'} with everything in ${one ? 'it' : 'them'}.`,
      fix: 'a migration changes its own database only; drop other databases by hand, if at all.',
    },
    place,
  )
}
