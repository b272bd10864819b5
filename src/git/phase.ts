// The git phase of runGate: resolve the base, find the merge base (fetching in shallow clones), list
// what the PR changed, and run the git rules: models-changed-without-migration, migration-edited,
// and the chain on the merge result (stale-parent). It also says which revisions are the PR's, so
// replay findings on older ones can be reported as pre-existing (checks/scope.ts), and what the
// base's heads are now, so the chain diagram can show where a stale PR should build.
import path from 'node:path'
import {
  addedMigrations,
  checkMigrationEdits,
  checkModelChanges,
  type ChangeRules,
  type ModelRules,
} from '../checks/changes.js'
import { checkMergedChain } from '../checks/merged-chain.js'
import { heads, indexGraph, resolve } from '../checks/topo.js'
import type { MigrationDriver, RevisionGraph, RevisionNode } from '../drivers/driver.js'
import type { GateConfig } from '../inputs.js'
import type { Logger } from '../logger.js'
import type { Finding, GitInfo, GraphNode } from '../report.js'
import { chooseBase, type BaseChoice } from './base.js'
import { findExemption } from './exemption.js'
import { locateBase } from './fetch.js'
import { globMatcher } from './glob.js'
import type { MigrationLayout, MigrationScopes } from '../drivers/driver.js'
import type { GitHubContext } from '../github/context.js'
import { mergedGraph } from './merged.js'
import { baseError, GitRepo, type ChangedFile } from './repo.js'

export interface GitPlan {
  base: BaseChoice
  github?: GitHubContext
}

/** The base to judge against, if any: without one the git phase does not run. */
export function planGit(config: GateConfig, context: GitHubContext | undefined, logger: Logger): GitPlan | undefined {
  if (context?.problem) logger.warn(`git: ${context.problem}`)
  const base = chooseBase(config.baseRef, context)
  if (!base) return undefined
  return context ? { base, github: context } : { base }
}

export interface GitPhaseInput {
  plan: GitPlan
  config: GateConfig
  driver: MigrationDriver
  /** The revision graph of the working tree. */
  graph: RevisionGraph
  /** Findings so far (chain findings on the working tree). */
  findings: Finding[]
  logger: Logger
}

export interface GitOutcome {
  info: GitInfo
  /** Findings to add. */
  findings: Finding[]
  /** The working tree's multiple-heads finding is explained by stale parents: drop it. */
  replacesMultipleHeads: boolean
  notes: string[]
  /** Revisions the PR adds or changes. */
  prRevisions: Set<string>
  /** Model files the PR changes, relative to the project dir (old and new names of a rename). */
  changedModels: Set<string>
  /** Absolute paths of the migration files the PR adds or changes (not deleted ones). */
  changedMigrations: string[]
}

export async function runGitPhase(input: GitPhaseInput): Promise<GitOutcome> {
  const { plan, config, driver, graph, logger } = input
  const { base } = plan
  const repo = await GitRepo.open(config.projectDir)
  if (!repo) throw baseError(`${config.projectDir} is not inside a git repository (or git is not installed)`)
  const commits = await locateBase(repo, base, logger)
  const changed = await repo.changedFiles(commits.mergeBase)
  const layout = layoutOf(driver)
  const projectPath = repo.relative(config.projectDir)
  const shown = (repoPath: string) => (projectPath ? path.posix.relative(projectPath, repoPath) : repoPath)
  logger.info(
    `git: ${changed.length} file${changed.length === 1 ? '' : 's'} changed since ${commits.mergeBase.slice(0, 12)} (merge base with ${base.label})`,
  )

  const isMigration =
    config.migrationPaths.length > 0
      ? globMatcher(config.migrationPaths)
      : (p: string) => layout?.isRevisionFile(path.join(repo.root, p)) ?? false
  const isModel = modelMatcher(config, layout, projectPath, (abs) => repo.relative(abs))

  const revisionByFile = new Map(graph.nodes.map((n) => [n.file, n.id]))
  const revisions = new Map<string, string>()
  for (const f of changed) {
    const id = revisionByFile.get(shown(f.path))
    if (id !== undefined) revisions.set(f.path, id)
  }
  const prRevisions = new Set(changed.filter((f) => f.status !== 'D').flatMap((f) => revisions.get(f.path) ?? []))
  // A changed file the migrations run with (the driver's supportDirs: a tool's environment, a helper
  // module the revisions import) can break revisions the PR did not touch: then every revision is the
  // PR's, and nothing is pre-existing. The project directory itself would make every change count.
  const supportDirs = new Set(
    (layout?.supportDirs ?? [])
      .map((dir) => path.relative(config.projectDir, dir).split(path.sep).join('/'))
      .filter((d) => d !== '' && d !== '..' && !d.startsWith('../') && !path.isAbsolute(d)),
  )
  const generated = new Set(layout?.generatedFiles ?? [])
  const support = changed.find((f) => {
    const rel = shown(f.path)
    return (
      !revisions.has(f.path) &&
      !generated.has(path.join(repo.root, f.path)) &&
      !rel.startsWith('../') &&
      [...supportDirs].some((d) => rel === d || rel.startsWith(`${d}/`))
    )
  })
  const supportNote = support
    ? `every revision counts as this change's: it changes ${shown(support.path)}, which the migrations run with`
    : undefined
  if (support) for (const n of graph.nodes) prRevisions.add(n.id)
  const prAdded = new Set(
    changed
      .filter(
        (f) =>
          f.status === 'A' ||
          (f.status === 'R' && !(f.oldPath && layout?.isRevisionFile(path.join(repo.root, f.oldPath)))),
      )
      .flatMap((f) => revisions.get(f.path) ?? []),
  )

  const findings: Finding[] = []
  const notes: string[] = supportNote ? [supportNote] : []
  const info: GitInfo = {
    base: base.label,
    baseSource: base.source,
    baseSha: commits.baseSha,
    mergeBase: commits.mergeBase,
    headSha: commits.headSha,
    deepened: commits.deepened,
    projectPath,
    changedFiles: changed.length,
    prRevisions: [...prRevisions].sort(),
    preExisting: 0,
  }

  // In a merge queue run the diff spans every PR queued ahead, and the labels and descriptions that
  // carry exemptions are not in the payload: each PR's own changes were judged on its pull request.
  if (base.source === 'merge_group') {
    notes.push(
      'models-changed-without-migration and migration-edited are judged on each pull request, not in the merge queue',
    )
  } else if (!layout && config.migrationPaths.length === 0) {
    // Without knowing which files are migrations, every model change would look unmigrated.
    notes.push(`models-changed-without-migration and migration-edited need migration-paths for ${driver.tool} projects`)
  } else {
    const lines = await firstLines(repo, commits.mergeBase, changed, (p) => isModel(p) || isMigration(p))
    const rules: ChangeRules = { changed, isModel, isMigration, shown, lines, revisions, base: base.label }
    const models = await checkModelChanges({
      ...rules,
      newMigrationCommand: layout?.newMigrationCommand ?? `${driver.tool} (a new migration)`,
      label: config.noMigrationLabel,
      ...(layout?.scopes ? { scopes: repoScopes(layout.scopes, repo.root) } : {}),
      exemption: async () =>
        findExemption({
          commits: await repo.messages(commits.mergeBase),
          labels: plan.github?.labels ?? [],
          ...(plan.github?.body ? { body: plan.github.body } : {}),
          label: config.noMigrationLabel,
        }),
    })
    findings.push(...models.findings)
    if (models.exemption) {
      info.exemption = models.exemption
      notes.push(`no migration needed (${models.exemption.source}): ${models.exemption.reason}`)
    }
    findings.push(...checkMigrationEdits(rules, config.migrationEditedSeverity))
    const added = addedMigrations(rules).length
    logger.debug(`git: ${added} migration file${added === 1 ? '' : 's'} added`)
  }

  let replacesMultipleHeads = false
  if (layout) {
    const merged = await mergedGraph(repo, commits, graph, changed, layout, shown)
    if (layout.checkMerged) {
      findings.push(...layout.checkMerged(merged, prAdded, base.label))
    } else {
      const result = checkMergedChain({
        merged,
        prAdded,
        reported: input.findings,
        base: base.label,
        ...(driver.chainWording ? { wording: driver.chainWording } : { wording: { tool: driver.tool } }),
      })
      findings.push(...result.findings)
      replacesMultipleHeads = result.replacesMultipleHeads
    }
    const view = baseView(merged, prAdded, graph, layout.compareIds)
    info.baseHeads = view.heads
    if (view.revisions.length > 0) info.baseRevisions = view.revisions
  }
  const changedModels = new Set(
    changed.flatMap((f) => [f.path, ...(f.oldPath ? [f.oldPath] : [])].filter(isModel).map(shown)),
  )
  const changedMigrations = changed
    .filter((f) => f.status !== 'D' && isMigration(f.path))
    .map((f) => path.join(repo.root, f.path))
  return { info, findings, replacesMultipleHeads, notes, prRevisions, changedModels, changedMigrations }
}

/** Base revisions the tree lacks, at most: enough to draw the way from the base's heads to the tree. */
const BASE_REVISIONS = 50

/**
 * The base's heads in the merge result (its revisions: all but those the PR adds), and the base's
 * revisions the checked tree lacks, walked from those heads back to the tree, parents as revision
 * ids. Ordered versions (`compare`: SQL tools) have one head, the latest, and each version follows
 * the one before it.
 */
function baseView(
  merged: RevisionGraph,
  prAdded: ReadonlySet<string>,
  tree: RevisionGraph,
  compare?: (a: string, b: string) => number,
): { heads: string[]; revisions: GraphNode[] } {
  const own = merged.nodes.filter((n) => !prAdded.has(n.id))
  let nodes: RevisionNode[] = own
  if (compare) {
    const order = [...new Set(own.map((n) => n.id))].sort(compare)
    const before = new Map(order.map((id, i) => [id, order[i - 1]]))
    nodes = own.map((n) => ({ ...n, parents: before.get(n.id) === undefined ? [] : [before.get(n.id) as string] }))
  }
  const index = indexGraph({ nodes, problems: [] })
  const baseHeads = compare ? [...index.byId.keys()].sort(compare).slice(-1) : heads(index)
  const inTree = new Set(tree.nodes.map((n) => n.id))
  const revisions: GraphNode[] = []
  const seen = new Set<string>()
  const stack = [...baseHeads].reverse()
  while (stack.length > 0 && revisions.length < BASE_REVISIONS) {
    const id = stack.pop() as string
    const node = index.byId.get(id)
    if (seen.has(id) || inTree.has(id) || !node) continue
    seen.add(id)
    const parents = node.parents.map((p) => resolve(index, p)?.id ?? p)
    revisions.push({
      id,
      parents,
      file: node.file,
      line: node.line,
      ...(node.message ? { message: node.message } : {}),
    })
    stack.push(...[...parents].reverse())
  }
  return { heads: baseHeads, revisions }
}

/** The git checks' adapter for the driver in use; undefined for a tool without one. */
function layoutOf(driver: MigrationDriver): MigrationLayout | undefined {
  return driver.gitLayout?.()
}

/**
 * Model files: the model-paths globs (repository-relative) when given; else the driver's model
 * globs under the project directory, plus the model files the tool's own config names.
 */
function modelMatcher(
  config: GateConfig,
  layout: MigrationLayout | undefined,
  projectPath: string,
  toRepo: (abs: string) => string,
): (repoPath: string) => boolean {
  if (config.modelPaths.length > 0) return globMatcher(config.modelPaths)
  const prefix = projectPath ? `${projectPath}/` : ''
  const defaults = globMatcher((layout?.modelGlobs ?? []).map((glob) => `${prefix}${glob}`))
  const named = new Set((layout?.modelFiles ?? []).map(toRepo))
  return (p) => defaults(p) || named.has(p)
}

/** The layout's scopes, asked with repository-relative paths. */
function repoScopes(scopes: MigrationScopes, root: string): ModelRules['scopes'] {
  return {
    noun: scopes.noun,
    of: (repoPath) => scopes.of(path.join(root, repoPath)),
    newMigrationCommand: (scope) => scopes.newMigrationCommand(scope),
  }
}

/** First changed lines of the files a rule may point at, for annotations. */
async function firstLines(
  repo: GitRepo,
  from: string,
  changed: ChangedFile[],
  relevant: (p: string) => boolean,
): Promise<Map<string, number>> {
  const lines = new Map<string, number>()
  for (const f of changed) {
    if (f.status === 'D' || f.status === 'A' || !relevant(f.path)) continue
    const line = await repo.firstChangedLine(from, f.path)
    if (line !== undefined) lines.set(f.path, line)
  }
  return lines
}
