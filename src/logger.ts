// The small logging surface core code takes instead of @actions/core.
import { inertLog } from './render/escape.js'

export interface Logger {
  info(message: string): void
  warn(message: string): void
  debug(message: string): void
}

export const silentLogger: Logger = { info() {}, warn() {}, debug() {} }

/**
 * Logs to stderr so stdout stays free for machine-readable output. The CLI may run in a workflow
 * step, whose runner reads stderr for commands too: user text (revision messages, database errors)
 * goes out inert.
 */
export const stderrLogger = (verbose = false): Logger => ({
  info: (m) => process.stderr.write(inertLog(`${m}\n`)),
  warn: (m) => process.stderr.write(inertLog(`warning: ${m}\n`)),
  debug: (m) => {
    if (verbose) process.stderr.write(inertLog(`debug: ${m}\n`))
  },
})
