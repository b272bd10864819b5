// What `migration-gate check` needs beyond the arguments, loaded by cli.ts only for a check (its own
// chunk in the bundle): --version and --help do not pay for parsing the gate.
export { runGate } from './gate.js'
export { runProjects } from './projects.js'
export { renderProjectsSarifJson } from './render/projects-sarif.js'
export { renderProjectsTerminal } from './render/projects-terminal.js'
export { readConfig } from './inputs.js'
export { stderrLogger } from './logger.js'
export { renderJson } from './render/json.js'
export { renderSarifJson } from './render/sarif.js'
export { renderTerminal } from './render/terminal.js'
