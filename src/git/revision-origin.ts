// Where a revision the chain does not have came from: the commit that added the file declaring it,
// searched in the history of every ref and of this clone's reflog (a deleted branch's commits stay
// there a while), then whether the checked-out branch has it (deleted since: in which commit) or not
// (never merged: which branches have it). Read only; a repository or file git cannot read gives no
// origin, never an error.
import path from 'node:path'
import { simpleGit, type SimpleGit } from 'simple-git'
import type { MigrationLayout } from '../drivers/driver.js'

export interface RevisionOrigin {
  /** "added in abc1234 on feature/x, never merged into main", "added in abc1234, deleted from main in def5678". */
  said: string
  /** The command that brings the file back. */
  restore: string
}

// A search of a long history is bounded: the origin is a help, not the verdict.
const TIMEOUT_MS = 60_000

export async function revisionOrigin(
  projectDir: string,
  layout: MigrationLayout,
  revision: string,
): Promise<RevisionOrigin | undefined> {
  try {
    const git = simpleGit({ baseDir: projectDir, timeout: { block: TIMEOUT_MS } })
    const root = (await git.raw(['rev-parse', '--show-toplevel'])).trim()
    const repo = simpleGit({ baseDir: root, timeout: { block: TIMEOUT_MS } })
    const dirs = layout.migrationDirs.map((d) => path.relative(root, d).split(path.sep).join('/') || '.')
    const added = await addedIn(repo, root, projectDir, layout, revision, dirs)
    if (!added) return undefined
    return await describe(repo, added)
  } catch {
    return undefined
  }
}

interface Added {
  sha: string
  /** Relative to the repository root. */
  file: string
}

/** `git log` over every ref and the reflog: one entry per commit, its files with their status. */
async function log(
  repo: SimpleGit,
  args: string[],
  dirs: string[],
): Promise<Array<{ sha: string; files: Array<[string, string]> }>> {
  const out = await repo.raw([
    'log',
    '--all',
    '--reflog',
    '--reverse',
    '--format=%x01%H',
    '--name-status',
    '--no-renames',
    ...args,
    '--',
    ...dirs,
  ])
  return out
    .split('\x01')
    .filter((chunk) => chunk.trim())
    .map((chunk) => {
      const [sha = '', ...lines] = chunk.trim().split('\n')
      const files = lines
        .map((l) => l.split('\t'))
        .filter((p): p is [string, string] => p.length >= 2)
        .map(([status, file]): [string, string] => [status, file])
      return { sha: sha.trim(), files }
    })
}

/** The oldest commit adding a file that declares `revision` (by its name for tools that version by name, else by its text). */
async function addedIn(
  repo: SimpleGit,
  root: string,
  projectDir: string,
  layout: MigrationLayout,
  revision: string,
  dirs: string[],
): Promise<Added | undefined> {
  const declares = (text: string, file: string) => {
    const rel = path.relative(projectDir, path.join(root, file)).split(path.sep).join('/')
    const node = layout.readRevision(text, rel)
    return 'id' in node && !('severity' in node) && node.id === revision
  }
  // Tools that version by file name (SQL) say so without the text.
  for (const entry of await log(repo, ['--diff-filter=A'], dirs)) {
    const file = entry.files.find(([, f]) => declares('', f))
    if (file) return { sha: entry.sha, file: file[1] }
  }
  // Else the commits whose diff adds or removes the id's text, each candidate read as that commit has it.
  for (const entry of await log(repo, [`-S${revision}`], dirs)) {
    for (const [status, file] of entry.files) {
      if (status === 'D') continue
      const text = await repo.show([`${entry.sha}:${file}`]).catch(() => '')
      if (text && declares(text, file)) return { sha: entry.sha, file }
    }
  }
  return undefined
}

async function describe(repo: SimpleGit, added: Added): Promise<RevisionOrigin> {
  const short = async (sha: string) => (await repo.raw(['rev-parse', '--short', sha])).trim()
  const sha = await short(added.sha)
  const branch = (await repo.raw(['rev-parse', '--abbrev-ref', 'HEAD'])).trim()
  const here = branch === 'HEAD' ? 'the checked-out commit' : branch
  // simple-git resolves a command that exits 1 silently (merge-base --is-ancestor's "no"): compare instead.
  const mergeBase = await repo.raw(['merge-base', added.sha, 'HEAD']).catch(() => '')
  const inHistory = mergeBase.trim() === added.sha
  if (inHistory) {
    const deleted = (await repo.raw(['log', '--format=%H', '-1', '--diff-filter=D', 'HEAD', '--', added.file])).trim()
    if (deleted) {
      return {
        said: `${added.file}, added in ${sha}, deleted from ${here} in ${await short(deleted)}`,
        restore: `git checkout ${await short(deleted)}^ -- ${added.file}`,
      }
    }
    return {
      said: `${added.file}, added in ${sha}, no longer in ${here}`,
      restore: `git checkout ${sha} -- ${added.file}`,
    }
  }
  const refs = (
    await repo.raw(['for-each-ref', '--contains', added.sha, '--format=%(refname:short)', 'refs/heads', 'refs/remotes'])
  )
    .split('\n')
    .map((r) => r.trim())
    .filter(Boolean)
  const on =
    refs.length > 0
      ? `on ${refs.slice(0, 3).join(', ')}${refs.length > 3 ? ` and ${refs.length - 3} more` : ''}`
      : "on a branch that no longer exists (found in this clone's reflog)"
  return {
    said: `${added.file}, added in ${sha} ${on}, never merged into ${here}`,
    restore: `git checkout ${sha} -- ${added.file}`,
  }
}
