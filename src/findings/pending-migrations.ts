// pending-migrations: what `upgrade head` will apply to the live database, in order. A notice before
// a deploy (this is the release); an error with live-expect: head, after one (the deploy never ran
// its migrations).
import { build, count, type FindingEntry, type Place } from './entry.js'
import type { Finding } from '../report.js'

export const PENDING_MIGRATIONS: FindingEntry<'pending-migrations'> = {
  id: 'pending-migrations',
  severity: 'notice',
  checked: 'live',
  happened:
    'migrations the live database has not run yet, in the order `upgrade head` applies them (an error with `live-expect: head`)',
  seen: 'a deploy whose migrations never ran: `column "..." does not exist` in the application',
}

export function pendingMigrations(
  facts: {
    /** Each pending revision as a line: "abc123 add users.email (versions/abc123_add.py:7)". */
    lines: string[]
    expect: 'any' | 'head'
    /** The tool's command applying them. */
    upgrade: string
  },
  place: Place,
): Finding {
  const n = count(facts.lines.length, 'revision')
  if (facts.expect === 'head') {
    return build(
      PENDING_MIGRATIONS,
      {
        message: `${n} not yet applied to the live database, which live-expect: head says should be at head: the deploy did not run its migrations, and code expecting them fails there.`,
        fix: `run \`${facts.upgrade}\` against it (and make the deploy run it).`,
      },
      { ...place, details: facts.lines },
      'error',
    )
  }
  return build(
    PENDING_MIGRATIONS,
    { message: `\`${facts.upgrade}\` will apply ${n} to the live database, in this order.` },
    { ...place, details: facts.lines },
  )
}
