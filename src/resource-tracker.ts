// One run's resources: whatever the gate started (servers, containers, scratch databases, Python
// helpers, temp dirs), each with an async cleanup for the normal path and, where it can, a
// synchronous last resort for process exit; and, for the action, the ledger its post step reads.
// Made once per run (runGate, or the glue that calls it) and handed down: providers get it in
// ProviderOptions, driver sessions in SessionOptions, the cross-check as an argument. A tracker
// holding anything is live in the process-wide signal hook (signal-cleanup.ts).
import { addToLedger, removeFromLedger, type Resource } from './postgres/ledger.js'
import { trackerIdle, trackerLive, type LiveTracker } from './signal-cleanup.js'

interface Entry {
  name: string
  run: () => Promise<void>
  sync?: () => void
}

export interface ResourceTrackerOptions {
  /**
   * The ledger file (the action's; the CLI relies on signal handlers and stale-cluster markers):
   * every recorded resource is listed there until it is forgotten.
   */
  ledger?: string
}

export class ResourceTracker implements LiveTracker {
  private readonly entries = new Set<Entry>()
  private cleaning: Promise<string[]> | undefined

  constructor(private readonly options: ResourceTrackerOptions = {}) {}

  /**
   * A tracker of its own for one part of the run (a monorepo's project), writing the same ledger:
   * emptying it cleans that part and leaves what the run shares (the one server) to this one.
   */
  sibling(): ResourceTracker {
    return new ResourceTracker(this.options)
  }

  /** Tracks a cleanup; the returned function stops tracking it (call after a normal stop). */
  track(name: string, run: () => Promise<void>, sync?: () => void): () => void {
    const entry: Entry = { name, run, ...(sync ? { sync } : {}) }
    this.entries.add(entry)
    trackerLive(this)
    return () => {
      this.entries.delete(entry)
      this.idleIfEmpty()
    }
  }

  /** Lists a resource in the ledger, when there is one, before or as it comes to exist. */
  record(resource: Resource): void {
    if (this.options.ledger) addToLedger(this.options.ledger, resource)
  }

  /** Strikes a removed resource from the ledger. */
  forget(resource: Resource): void {
    if (this.options.ledger) removeFromLedger(this.options.ledger, resource)
  }

  /**
   * Runs every tracked cleanup, newest first; failures are reported, never thrown. A call while one
   * runs (the signal's, and the run's own on its way out) waits for it instead of running them twice.
   */
  cleanupAll(): Promise<string[]> {
    this.cleaning ??= this.runAll().finally(() => (this.cleaning = undefined))
    return this.cleaning
  }

  /** The synchronous last resorts, for process exit, where nothing can be awaited. */
  cleanupSync(): void {
    for (const e of this.entries) {
      try {
        e.sync?.()
      } catch {
        // best effort on the way out
      }
    }
  }

  private async runAll(): Promise<string[]> {
    const problems: string[] = []
    for (const e of [...this.entries].reverse()) {
      try {
        await e.run()
      } catch (error) {
        problems.push(`${e.name}: ${error instanceof Error ? error.message : String(error)}`)
      }
      this.entries.delete(e)
    }
    this.idleIfEmpty()
    return problems
  }

  private idleIfEmpty(): void {
    if (this.entries.size === 0) trackerIdle(this)
  }
}
