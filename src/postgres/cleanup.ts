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
let signalled: NodeJS.Signals | null = null
/** On cancel GitHub's runner sends SIGINT, SIGTERM 7.5 s later, SIGKILL 2.5 s after that: finish before. */
const SIGNAL_CLEANUP_MS = 6_000

const onSigint = () => onSignal('SIGINT', 130)
const onSigterm = () => onSignal('SIGTERM', 143)

function onSignal(signal: NodeJS.Signals, code: number): void {
  if (signalled) return
  signalled = signal
  process.stderr.write(`migration-gate: ${signal} received, cleaning up\n`)
  // Tearing things down makes the work in flight fail (a container removed mid-start, a server
  // stopped mid-query). Those failures are consequences of the signal, not news: they must neither
  // end the process before cleanup is done nor replace the signal's exit code.
  const swallow = () => {}
  process.on('uncaughtException', swallow)
  process.on('unhandledRejection', swallow)
  // A cleanup that hangs (an unreachable database-url server) must not keep a cancelled job alive:
  // exit anyway after a while; the exit handler below still kills servers and removes dirs.
  setTimeout(() => process.exit(code), SIGNAL_CLEANUP_MS).unref()
  void runAll().finally(() => process.exit(code))
}

function onExit(): void {
  for (const e of entries) {
    try {
      e.sync?.()
    } catch {
      // best effort on the way out
    }
  }
}

/**
 * Signal handlers are installed only while something is registered: with nothing to clean up, a
 * signal keeps its default meaning (and a host process, a test runner, keeps its own handling).
 */
function install(): void {
  if (installed) return
  installed = true
  process.once('SIGINT', onSigint)
  process.once('SIGTERM', onSigterm)
  process.on('exit', onExit)
}

function uninstallIfIdle(): void {
  if (!installed || signalled || entries.size > 0) return
  installed = false
  process.removeListener('SIGINT', onSigint)
  process.removeListener('SIGTERM', onSigterm)
  process.removeListener('exit', onExit)
}

/**
 * The signal that is ending this process, if one is: glue code that catches an error while it is
 * set should exit quietly (the cleanup exits with 130 or 143) rather than report that error.
 */
export function interruptedBy(): NodeJS.Signals | null {
  return signalled
}

/** Registers a cleanup; the returned function unregisters it (call after a normal stop). */
export function registerCleanup(name: string, run: () => Promise<void>, sync?: () => void): () => void {
  install()
  const entry: Entry = { name, run, ...(sync ? { sync } : {}) }
  entries.add(entry)
  return () => {
    entries.delete(entry)
    uninstallIfIdle()
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
  uninstallIfIdle()
  return problems
}
