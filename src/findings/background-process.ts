// background-process: a migration started a process and returned while it still ran. The gate
// stopped it; on a deploy host it would outlive the migration, unsupervised. A warning.
import { build, type FindingEntry, type Place } from './entry.js'
import type { Finding } from '../report.js'

export const BACKGROUND_PROCESS: FindingEntry<'background-process'> = {
  id: 'background-process',
  severity: 'warning',
  checked: 'replay',
  happened: 'a migration starts a process and returns while it still runs (the gate stops it)',
  seen: 'a daemon left running beside the application on the deploy host',
  revisionScoped: true,
}

export function backgroundProcess(
  facts: { direction: 'upgrade' | 'downgrade'; revision: string; commands: string[] },
  place: Place,
): Finding {
  const n = facts.commands.length
  return build(
    BACKGROUND_PROCESS,
    {
      message: `The ${facts.direction} of ${facts.revision} started ${n === 1 ? 'a process' : `${n} processes`} and returned while ${n === 1 ? 'it was' : 'they were'} still running (${facts.commands.map((c) => `\`${c}\``).join(', ')}); the gate stopped ${n === 1 ? 'it' : 'them'}. On a deploy host such a process outlives the migration and runs beside the application, unsupervised.`,
      fix: 'wait for what the migration starts, or move the work out of the migration.',
    },
    place,
  )
}
