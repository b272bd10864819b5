// argv -> named inputs for readConfig. Flags are the action's input names: --mode stairway or
// --mode=stairway; the positional PROJECT_DIRs are working-directory (one line each).
import { GateError } from './errors.js'
import { INPUTS } from './inputs.js'

export interface CliArgs {
  command: 'check' | 'help' | 'version'
  inputs: Map<string, string>
  verbose: boolean
}

const FLAGS = new Set(INPUTS.filter((i) => !i.actionOnly).map((i) => i.name))

export function parseArgs(argv: string[]): CliArgs {
  const inputs = new Map<string, string>()
  let verbose = false
  const [first, ...rest] = argv
  if (first === undefined || first === '--help' || first === '-h' || first === 'help')
    return { command: 'help', inputs, verbose }
  if (first === '--version' || first === '-V') return { command: 'version', inputs, verbose }
  if (first !== 'check')
    throw new GateError(
      `unknown command "${first}" (usage: migration-gate check [PROJECT_DIR...] [options]; see --help)`,
    )
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string
    if (arg === '--help' || arg === '-h') return { command: 'help', inputs, verbose }
    if (arg === '--verbose' || arg === '-v') {
      verbose = true
      continue
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=')
      const name = arg.slice(2, eq === -1 ? undefined : eq)
      if (!FLAGS.has(name) || name === 'working-directory') throw new GateError(`unknown option --${name} (see --help)`)
      let v: string | undefined
      if (eq !== -1) v = arg.slice(eq + 1)
      else {
        v = rest[i + 1]
        i++
      }
      if (v === undefined) throw new GateError(`--${name} needs a value`, name)
      // `--report-json --mode static`: the value is missing, not "--mode". Write --name=--x for a
      // value that really starts with two dashes.
      if (eq === -1 && v.startsWith('--')) {
        throw new GateError(`--${name} needs a value, but is followed by the option ${v}`, name)
      }
      inputs.set(name, v)
      continue
    }
    // Several PROJECT_DIRs (a monorepo) are working-directory's lines, as the action takes them.
    const before = inputs.get('working-directory')
    inputs.set('working-directory', before === undefined ? arg : `${before}\n${arg}`)
  }
  return { command: 'check', inputs, verbose }
}

export function usage(): string {
  const lines = [
    'usage: migration-gate check [PROJECT_DIR...] [options]',
    '',
    'Replays every migration up, down and up again on an ephemeral PostgreSQL and checks the chain.',
    'exit codes: 0 pass, 1 findings of severity error, 2 usage or infrastructure error, 3 a bug in migration-gate',
    '',
    'options:',
  ]
  for (const i of INPUTS) {
    if (i.actionOnly || i.name === 'working-directory') continue
    const allowed = i.allowed ? ` (${i.allowed.join('|')})` : ''
    const def = i.default ? ` [default: ${i.default}]` : ''
    lines.push(`  --${i.name}${allowed}${def}`, `      ${i.description}`)
  }
  lines.push('  --verbose', '      Log each step.')
  return lines.join('\n')
}
