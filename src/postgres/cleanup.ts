// Process-wide cleanup: whatever the gate started (servers, containers, scratch databases, temp dirs)
// is removed after success, failure, SIGINT and SIGTERM. Each resource registers an async cleanup
// (the normal path) and a synchronous last resort for process exit (kill the server, remove the dir).

interface Entry {
  name: string
  run: () => Promise<void>
  sync?: () => void
}

const entries = new Set<Entry>()
let installed = false
let signalled = false

function install(): void {
  if (installed) return
  installed = true
  const onSignal = (signal: NodeJS.Signals, code: number) => {
    if (signalled) return
    signalled = true
    process.stderr.write(`migration-gate: ${signal} received, cleaning up\n`)
    void runAll().finally(() => process.exit(code))
  }
  process.once('SIGINT', () => onSignal('SIGINT', 130))
  process.once('SIGTERM', () => onSignal('SIGTERM', 143))
  process.on('exit', () => {
    for (const e of entries) {
      try {
        e.sync?.()
      } catch {
        // best effort on the way out
      }
    }
  })
}

/** Registers a cleanup; the returned function unregisters it (call after a normal stop). */
export function registerCleanup(name: string, run: () => Promise<void>, sync?: () => void): () => void {
  install()
  const entry: Entry = { name, run, ...(sync ? { sync } : {}) }
  entries.add(entry)
  return () => {
    entries.delete(entry)
  }
}

/** Runs every registered cleanup, newest first; failures are reported, never thrown. */
export async function runAll(): Promise<string[]> {
  const problems: string[] = []
  for (const e of [...entries].reverse()) {
    try {
      await e.run()
    } catch (error) {
      problems.push(`${e.name}: ${error instanceof Error ? error.message : String(error)}`)
    }
    entries.delete(e)
  }
  return problems
}
