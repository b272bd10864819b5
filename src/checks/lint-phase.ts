// The dangerous-operation rules in a run: which revisions' first upgrades the replay observes (the
// pull request's, like the replay findings; every revision where no base is known or strict is on),
// and, after the replay, the rule engine (src/lint/) on what those upgrades sent and what the server
// saw them do. Nothing is observed, and the parser never loads, with `lint: off`.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { RevisionGraph } from '../drivers/driver.js'
import type { GitOutcome } from '../git/phase.js'
import type { GateConfig } from '../inputs.js'
import { lintSteps, type LintResult, type LintStep } from '../lint/engine.js'
import type { ParseAhead } from '../lint/parse-ahead.js'
import type { Step } from '../report.js'

/** The revisions judged: the pull request's where the git checks ran (strict: all); undefined: all. */
export function lintScope(config: GateConfig, git: GitOutcome | undefined): ReadonlySet<string> | undefined {
  return git && !config.strict ? git.prRevisions : undefined
}

/** What the replay observes: the first upgrade of every judged revision; nothing with lint off. */
export function observedRevisions(
  config: GateConfig,
  scope: ReadonlySet<string> | undefined,
): ((revision: string) => boolean) | undefined {
  if (config.lint.level === 'off') return undefined
  return scope ? (revision) => scope.has(revision) : () => true
}

/** The rules on the observed upgrades of the replay's steps. */
export async function runLintPhase(input: {
  config: GateConfig
  graph: RevisionGraph
  steps: readonly Step[]
  scope: ReadonlySet<string> | undefined
  /** What parsed the observed steps' statements during the replay. */
  ahead?: ParseAhead
}): Promise<LintResult> {
  const { config, graph, scope } = input
  const files = new Map(graph.nodes.map((n) => [n.id, n.file]))
  const steps: LintStep[] = input.steps
    .filter((s) => s.direction === 'upgrade' && s.sent !== undefined)
    .map((s) => ({
      revision: s.revision,
      file: files.get(s.revision) ?? '',
      sent: s.sent ?? [],
      ...(s.observed ? { observed: s.observed } : {}),
      ...(!s.ok && s.error ? { error: s.error } : {}),
    }))
  const readSource = (file: string): string | undefined => {
    try {
      return readFileSync(path.resolve(config.projectDir, file), 'utf8')
    } catch {
      return undefined
    }
  }
  const ahead = input.ahead
  return lintSteps(
    steps,
    { ...config.lint, ...(scope ? { revisions: scope } : {}) },
    readSource,
    ahead ? () => ahead.parse() : undefined,
  )
}
