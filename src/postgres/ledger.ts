// The ledger: a small JSON file listing every resource the gate created and has not removed yet.
// The action's post step reads it and removes what the main step could not (a killed or timed-out run).
import { readFileSync, writeFileSync, rmSync } from 'node:fs'

export type Resource =
  | { kind: 'cluster'; dir: string }
  | { kind: 'container'; id: string }
  /** adminUrl never carries a credential (see withoutCredentials): the ledger is a plain file on the runner. */
  | { kind: 'database'; adminUrl: string; name: string }
  /** A url run's own role (run-role.ts); its password is never recorded. */
  | { kind: 'role'; adminUrl: string; name: string }

export function readLedger(path: string): Resource[] {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'))
    return Array.isArray(parsed) ? (parsed as Resource[]) : []
  } catch {
    return []
  }
}

function write(path: string, list: Resource[]): void {
  if (list.length === 0) rmSync(path, { force: true })
  else writeFileSync(path, JSON.stringify(list, null, 1))
}

const same = (a: Resource, b: Resource) => JSON.stringify(a) === JSON.stringify(b)

/** Lists `r` in the ledger at `path` (once). A run's ResourceTracker calls this; nothing else writes the file. */
export function addToLedger(path: string, r: Resource): void {
  write(path, [...readLedger(path).filter((x) => !same(x, r)), r])
}

export function removeFromLedger(path: string, r: Resource): void {
  write(
    path,
    readLedger(path).filter((x) => !same(x, r)),
  )
}
