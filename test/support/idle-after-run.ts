// Runs the gate once in a fresh Node process and prints what the process still waits on afterwards
// (timers, sockets, child processes) beside what it waited on before the run. A user waits for the
// process, not for runGate: anything left pending keeps the CLI alive after it printed its verdict.
// argv: PROJECT_DIR POSTGRES [PYTHON] [MODE]
import { readConfig } from '../../src/inputs.js'
import { runGate } from '../../src/gate.js'
import { silentLogger } from '../../src/logger.js'

const [projectDir, postgres, python, mode] = process.argv.slice(2)
const inputs = new Map<string, string>([
  ['working-directory', projectDir ?? ''],
  ['postgres', postgres ?? 'auto'],
  ...(python ? [['python', python] as [string, string]] : []),
  ...(mode ? [['mode', mode] as [string, string]] : []),
])
const before = process.getActiveResourcesInfo()
const report = await runGate(
  readConfig((name) => inputs.get(name)),
  { logger: silentLogger },
)
// A closed handle (an exited child process) is released a few loop turns later: look again for up
// to 100 ms. A timer or socket the run left running is still there after that.
let after = process.getActiveResourcesInfo()
for (let turn = 0; turn < 20 && after.length > before.length; turn++) {
  await new Promise((resolve) => setTimeout(resolve, 5))
  after = process.getActiveResourcesInfo()
}
process.stdout.write(
  `${JSON.stringify({ result: report.result, provider: report.postgres?.provider, before, after })}\n`,
)
