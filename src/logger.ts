// The small logging surface core code takes instead of @actions/core.
export interface Logger {
  info(message: string): void
  warn(message: string): void
  debug(message: string): void
}

export const silentLogger: Logger = { info() {}, warn() {}, debug() {} }

/** Logs to stderr so stdout stays free for machine-readable output. */
export const stderrLogger = (verbose = false): Logger => ({
  info: (m) => process.stderr.write(`${m}\n`),
  warn: (m) => process.stderr.write(`warning: ${m}\n`),
  debug: (m) => {
    if (verbose) process.stderr.write(`debug: ${m}\n`)
  },
})
