// Model drift, judged: the differences the replay found between the models and the migrated
// database become findings, against the pull request where the git checks ran (drift-scope.ts),
// else every difference as it is.
import { readFileSync } from 'node:fs'
import { driftFindings } from './drift.js'
import { scopeDrift } from './drift-scope.js'
import type { MigrationDriver, ModelDrift } from '../drivers/driver.js'
import type { GitOutcome } from '../git/phase.js'
import type { GateConfig } from '../inputs.js'
import type { Finding } from '../report.js'

/**
 * The drift findings, and the findings re-judged by them: against the pull request where the git
 * checks ran (checks/drift-scope.ts), else every difference as it is.
 */
export function judgeDrift(
  drift: ModelDrift,
  findings: Finding[],
  git: GitOutcome | undefined,
  config: GateConfig,
  driver: MigrationDriver,
): { findings: Finding[]; notes: string[] } {
  if (!git) return { findings: [...findings, ...driftFindings(drift.items, driver.models)], notes: [] }
  const scoped = scopeDrift({
    drift,
    findings,
    changedModels: git.changedModels,
    changedMigrationTexts: git.changedMigrations.map(readText),
    models: driver.models,
    base: git.info.base,
    strict: config.strict,
  })
  return { findings: [...scoped.findings, ...scoped.drift], notes: scoped.notes }
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return ''
  }
}
