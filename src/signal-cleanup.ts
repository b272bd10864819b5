// The process-wide part of cleanup: on SIGINT and SIGTERM every live resource tracker (a run's, see
// resource-tracker.ts) is emptied, newest first, and the process exits with the signal's code; on
// exit, however it comes, each live tracker's synchronous last resorts run (kill the server, remove
// the dir). Signals belong to the process, not to a run, so this is the one piece of global state:
// it holds the trackers that hold something, and nothing else writes into it.

/** What the hook needs of a tracker. */
export interface LiveTracker {
  cleanupAll(): Promise<string[]>
  cleanupSync(): void
}

/** In the order they went live: emptied newest first, as each tracker empties itself. */
const live = new Set<LiveTracker>()
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
  void cleanupLive().finally(() => process.exit(code))
}

async function cleanupLive(): Promise<void> {
  for (const tracker of [...live].reverse()) await tracker.cleanupAll()
}

function onExit(): void {
  for (const tracker of live) {
    try {
      tracker.cleanupSync()
    } catch {
      // best effort on the way out
    }
  }
}

/**
 * Signal handlers are installed only while a tracker holds something: with nothing to clean up, a
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
  if (!installed || signalled || live.size > 0) return
  installed = false
  process.removeListener('SIGINT', onSigint)
  process.removeListener('SIGTERM', onSigterm)
  process.removeListener('exit', onExit)
}

/** A tracker that now holds something: cleaned on a signal and at exit. */
export function trackerLive(tracker: LiveTracker): void {
  live.add(tracker)
  install()
}

/** A tracker that holds nothing any more. */
export function trackerIdle(tracker: LiveTracker): void {
  live.delete(tracker)
  uninstallIfIdle()
}

/**
 * The signal that is ending this process, if one is: glue code that catches an error while it is
 * set should exit quietly (the cleanup exits with 130 or 143) rather than report that error.
 */
export function interruptedBy(): NodeJS.Signals | null {
  return signalled
}
