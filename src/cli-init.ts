// `migration-gate init` for the CLI, its own chunk like the check's: the plan, then the file written
// (or printed with --stdout) and what was assumed, one line each. Errors are GateErrors: cli.ts
// prints their one line and exits 2.
import type { InitArgs } from './cli-args.js'
import { planInit, shownPath, writeWorkflow } from './init/init.js'

export function runInit(args: InitArgs): number {
  const plan = planInit({ dir: args.dir, ...(args.push ? { push: args.push } : {}) })
  const warn = (w: string) => process.stderr.write(`migration-gate: warning: ${w}\n`)
  if (args.stdout) {
    // stdout holds the workflow alone, for a pipe or a redirect.
    process.stderr.write(plan.assumptions.map((a) => `${a}\n`).join(''))
    plan.warnings.forEach(warn)
    process.stdout.write(plan.text)
    return 0
  }
  const replaced = writeWorkflow(plan, args.force)
  process.stdout.write(plan.assumptions.map((a) => `${a}\n`).join(''))
  plan.warnings.forEach(warn)
  process.stdout.write(`${replaced ? 'overwrote' : 'wrote'} ${shownPath(plan.target)}\n`)
  return 0
}
