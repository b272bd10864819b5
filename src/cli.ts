// CLI glue only: argv -> runGate -> terminal renderer -> exit code (0 pass, 1 findings, 2 usage or
// infrastructure error in one line, 3 a bug in migration-gate; failure.ts).
import { initUsage, parseArgs, usage } from './cli-args.js'
import { describeFailure, EXIT_CODES } from './failure.js'
import { writeOutputFile } from './output-file.js'
import { inertLog } from './render/escape.js'
import { registerSecrets, scrub } from './scrub.js'
import { interruptedBy } from './signal-cleanup.js'
import { VERSION } from './version.js'

/** --verbose, once the arguments are read: a bug's stack is printed under it. */
let verbose = false

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv)
  verbose = args.verbose
  // Before anything can fail: a start failure names the database-url, and must say it without its credentials.
  registerSecrets(args.inputs.get('database-url'))
  registerSecrets(args.inputs.get('live-database-url'))
  if (args.command === 'help') {
    process.stdout.write(`${args.topic === 'init' ? initUsage() : usage()}\n`)
    return 0
  }
  if (args.command === 'version') {
    process.stdout.write(`${VERSION}\n`)
    return 0
  }
  if (args.command === 'init' && args.init) {
    const { runInit } = await import('./cli-init.js')
    return runInit(args.init)
  }
  // The gate itself loads only for a check: --version and --help answer without parsing it.
  const gate = await import('./cli-check.js')
  const { readConfig, runGate, stderrLogger, renderJson, renderSarifJson, renderTerminal } = gate
  const config = readConfig((name) => args.inputs.get(name))
  const colour = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR
  if (config.projectDirs) {
    // A monorepo: one block per project, one verdict; the exit code is the worst project's.
    const projects = { ...config, projectDirs: config.projectDirs }
    const run = await gate.runProjects(projects, { logger: stderrLogger(args.verbose) })
    if (config.reportJson) writeOutputFile('report-json', config.reportJson, renderJson(run.report))
    if (config.sarif) writeOutputFile('sarif', config.sarif, gate.renderProjectsSarifJson(run.report, process.cwd()))
    process.stdout.write(gate.renderProjectsTerminal(run.report, { colour, rootDir: process.cwd() }))
    return run.exitCode
  }
  const report = await runGate(config, { logger: stderrLogger(args.verbose) })
  // Where the up-front check cannot tell (a pseudo-filesystem passes access() yet refuses new files).
  if (config.reportJson) writeOutputFile('report-json', config.reportJson, renderJson(report))
  if (config.sarif) writeOutputFile('sarif', config.sarif, renderSarifJson(report))
  process.stdout.write(renderTerminal(report, { colour }))
  return report.result === 'fail' ? EXIT_CODES.findings : EXIT_CODES.pass
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    // runGate has emptied the run's resource tracker on its way out (or the signal handler is doing so).
    // A run cancelled by SIGINT/SIGTERM exits through the signal handler; its teardown errors are noise.
    if (interruptedBy()) return
    const failure = describeFailure(error)
    // The stack before the verdict line, so that the last line is always the one that says what happened.
    // A usage error shows its stack only to MIGRATION_GATE_DEBUG: for a user it is noise.
    if ((failure.bug && verbose) || process.env.MIGRATION_GATE_DEBUG) {
      if (error instanceof Error) process.stderr.write(inertLog(`${scrub(String(error.stack))}\n`))
    }
    // scrub also covers what failed before the inputs were read (a stray key=value argument).
    process.stderr.write(inertLog(`migration-gate: ${scrub(failure.line)}\n`))
    process.exitCode = failure.exitCode
  },
)
