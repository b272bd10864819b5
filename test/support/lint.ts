// Helpers for the lint engine's unit tests: steps made of real SQL (parsed by the real parser in the
// engine) and observations written the way the server reports them.
import type { ObservedLock, StepObservation } from '../../src/drivers/driver.js'
import { LINT_OFF, type LintConfig } from '../../src/lint/config.js'
import { judgeSteps, type LintResult, type LintStep } from '../../src/lint/engine.js'
import { loadParser } from '../../src/lint/parser.js'

/** An observation: locks as [relation, mode, existedBefore]. */
export function observation(
  locks: Array<[string, string, boolean]>,
  more: Partial<Omit<StepObservation, 'locks'>> = {},
): StepObservation {
  return {
    locks: locks.map(([relation, mode, existedBefore]): ObservedLock => ({ relation, mode, existedBefore })),
    rewritten: more.rewritten ?? [],
    created: more.created ?? [],
    locksComplete: more.locksComplete ?? true,
  }
}

/** One step of revision `rev` in `file` sending `sql`, statement i at line i + 1. */
export function step(sql: string[], extra: Partial<LintStep> = {}): LintStep {
  return {
    revision: 'r1',
    file: 'migrations/1_x.up.sql',
    sent: sql.map((s, i) => ({ sql: s, file: extra.file ?? 'migrations/1_x.up.sql', line: i + 1 })),
    ...extra,
  }
}

export const WARN: LintConfig = { ...LINT_OFF, level: 'warn' }

/** The engine on `steps` with the real parser; `sources` are the files' texts for suppressions. */
export async function lint(
  steps: LintStep[],
  config: LintConfig = WARN,
  sources: Record<string, string> = {},
): Promise<LintResult> {
  return judgeSteps(steps, config, (f) => sources[f], await loadParser())
}

/** The ids of the findings, in order. */
export const ids = (r: LintResult) => r.findings.map((f) => f.id)
