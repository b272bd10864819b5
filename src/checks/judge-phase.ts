// After the replay, the findings judged against what the run knows: model drift turned into
// findings (and models-changed-without-migration re-judged by it), then, where the git checks ran,
// replay findings on revisions the base already has scoped as pre-existing. Drift first: its
// findings are not replay findings, so scoping leaves them as drift-scope.ts judged them.
import type { MigrationDriver, ModelDrift } from '../drivers/driver.js'
import type { GitOutcome } from '../git/phase.js'
import type { GateConfig } from '../inputs.js'
import type { Finding, Step } from '../report.js'
import { judgeDrift } from './drift-phase.js'
import { scopeFindings } from './scope.js'

export interface JudgeInput {
  findings: Finding[]
  /** What the models declare against what the migrations build, when the replay reached head. */
  drift: ModelDrift | undefined
  git: GitOutcome | undefined
  steps: Step[]
  config: GateConfig
  driver: MigrationDriver
}

export interface Judged {
  findings: Finding[]
  notes: string[]
  /** Findings on revisions the base already has (only where the git checks ran). */
  preExisting?: number
}

export function judgeFindings(input: JudgeInput): Judged {
  const { drift, git, config } = input
  let findings = input.findings
  const notes: string[] = []
  if (drift) {
    const judged = judgeDrift(drift, findings, git, config, input.driver)
    findings = judged.findings
    notes.push(...judged.notes)
  }
  if (!git) return { findings, notes }
  // Judge the PR, not the whole history: replay findings on revisions the base has are pre-existing.
  const scoped = scopeFindings({
    findings,
    steps: input.steps,
    prRevisions: git.prRevisions,
    base: git.info.base,
    strict: config.strict,
  })
  return { findings: scoped.findings, notes: [...notes, ...scoped.notes], preExisting: scoped.preExisting }
}
