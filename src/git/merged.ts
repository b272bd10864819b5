// The revision graph as merging the PR into the base's current tip would leave it, for the
// stale-parent check: the working tree's revisions, with what the base changed in its migration
// directories since the fork applied. Read with `git show`, never a checkout.
import path from 'node:path'
import type { RevisionGraph, RevisionNode } from '../drivers/driver.js'
import type { MigrationLayout } from '../drivers/driver.js'
import type { ChangedFile, GitRepo } from './repo.js'

/**
 * The chain as the merge of the PR into the base's current tip would have it: the working tree's
 * revisions, with what the base changed in its migration directories since the fork applied (the
 * PR's version wins for a file both changed). Read with `git show`, never a checkout.
 */
export async function mergedGraph(
  repo: GitRepo,
  commits: { baseSha: string; mergeBase: string },
  graph: RevisionGraph,
  changed: ChangedFile[],
  layout: MigrationLayout,
  shown: (repoPath: string) => string,
): Promise<RevisionGraph> {
  if (commits.baseSha === commits.mergeBase) return graph
  const dirs = layout.migrationDirs.map((d) => repo.relative(d) || '.').filter((d) => !d.startsWith('..'))
  const baseChanges = (await repo.diffCommits(commits.mergeBase, commits.baseSha, dirs)).filter((f) =>
    layout.isRevisionFile(path.join(repo.root, f.path)),
  )
  const ours = new Set(changed.flatMap((f) => [f.path, ...(f.oldPath ? [f.oldPath] : [])]))
  const theirs = baseChanges.filter((f) => !ours.has(f.path))
  const replaced = new Set(theirs.flatMap((f) => [shown(f.path), ...(f.oldPath ? [shown(f.oldPath)] : [])]))
  const nodes: RevisionNode[] = graph.nodes.filter((n) => !replaced.has(n.file))
  for (const f of theirs) {
    if (f.status === 'D') continue
    const read = layout.readRevision(await repo.show(commits.baseSha, f.path), shown(f.path))
    // A file the base cannot parse is the base's problem, reported on the base's own runs.
    if ('parents' in read) nodes.push(read)
  }
  return { nodes, problems: graph.problems }
}
