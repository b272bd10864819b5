// The few git operations the gate needs, through simple-git: where the repository is, whether a
// commit is present, fetching, the merge base, the changed files, a file as a commit has it, and
// commit messages. Nothing here decides anything; base.ts, fetch.ts and phase.ts do.
import { readFileSync, realpathSync } from 'node:fs'
import path from 'node:path'
import { simpleGit, type SimpleGit } from 'simple-git'
import { GateError } from '../errors.js'

/** A file the PR touched, between the merge base and the working tree. Paths are repository-relative, POSIX. */
export interface ChangedFile {
  /** A added (untracked files too), M modified (T type changes too), D deleted, R renamed. */
  status: 'A' | 'M' | 'D' | 'R'
  path: string
  /** R: where the file was. */
  oldPath?: string
  /** R: git's similarity index (100: the content is unchanged). */
  similarity?: number
}

export interface CommitMessage {
  sha: string
  message: string
}

// Fetches over a slow network take a while; a hung one must still end the run.
const TIMEOUT_MS = 180_000

export class GitRepo {
  private constructor(
    private readonly git: SimpleGit,
    /** Absolute, real path of the work tree's top level. */
    readonly root: string,
  ) {}

  /** The repository holding `dir`; undefined when there is none (or git is missing). */
  static async open(dir: string): Promise<GitRepo | undefined> {
    const git = simpleGit({ baseDir: dir, timeout: { block: TIMEOUT_MS } })
    try {
      const top = (await git.raw(['rev-parse', '--show-toplevel'])).trim()
      if (!top) return undefined
      // Every path git prints from here on is relative to the top level.
      return new GitRepo(simpleGit({ baseDir: top, timeout: { block: TIMEOUT_MS } }), realpathSync(top))
    } catch {
      return undefined
    }
  }

  /** `abs` relative to the repository root, POSIX separators ('' for the root itself). */
  relative(abs: string): string {
    let real = abs
    try {
      real = realpathSync(abs)
    } catch {
      // A path that does not exist (yet): compare it as written.
    }
    return path.relative(this.root, real).split(path.sep).join('/')
  }

  async isShallow(): Promise<boolean> {
    return (await this.git.raw(['rev-parse', '--is-shallow-repository'])).trim() === 'true'
  }

  /** The boundary commits of a shallow clone (they are on the remote: deepening fetches below them). */
  async shallowCommits(): Promise<string[]> {
    const file = (await this.git.raw(['rev-parse', '--git-path', 'shallow'])).trim()
    try {
      return readFileSync(path.resolve(this.root, file), 'utf8').split('\n').filter(Boolean)
    } catch {
      return []
    }
  }

  /** The commit a ref names, if the clone has it. */
  async commit(ref: string): Promise<string | undefined> {
    try {
      const sha = (await this.git.raw(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).trim()
      return sha || undefined
    } catch {
      return undefined
    }
  }

  /** `git fetch --no-tags origin <args>`; throws the first line of git's complaint. */
  async fetch(args: string[]): Promise<void> {
    try {
      await this.git.raw(['fetch', '--no-tags', '--quiet', ...args])
    } catch (error) {
      throw new Error(firstLine(error))
    }
  }

  /** The best common ancestor, if the history present has one. */
  async mergeBase(a: string, b: string): Promise<string | undefined> {
    try {
      return (await this.git.raw(['merge-base', a, b])).trim() || undefined
    } catch {
      return undefined
    }
  }

  /**
   * Files that differ between `from` and the working tree (renames detected), plus untracked files
   * that git does not ignore: a developer running the CLI before committing is judged on what they
   * have. In a clean CI checkout this is exactly `from..HEAD`.
   */
  async changedFiles(from: string): Promise<ChangedFile[]> {
    const out = await this.git.raw(['diff', '--name-status', '-z', '-M', '--no-ext-diff', from, '--'])
    const files = parseNameStatus(out)
    const untracked = await this.git.raw(['ls-files', '-z', '--others', '--exclude-standard', '--full-name'])
    for (const file of untracked.split('\0')) if (file) files.push({ status: 'A', path: file })
    return files
  }

  /** Files under `paths` that differ between two commits, for what the base did since the fork. */
  async diffCommits(from: string, to: string, paths: string[]): Promise<ChangedFile[]> {
    if (paths.length === 0) return []
    return parseNameStatus(
      await this.git.raw(['diff', '--name-status', '-z', '-M', '--no-ext-diff', from, to, '--', ...paths]),
    )
  }

  /** A file's content at a commit (repository-relative path). */
  async show(commit: string, file: string): Promise<string> {
    return this.git.raw(['show', `${commit}:${file}`])
  }

  /** The first line the working tree changed in `file` since `from` (for annotations), if any. */
  async firstChangedLine(from: string, file: string): Promise<number | undefined> {
    try {
      const out = await this.git.raw(['diff', '-U0', '--no-ext-diff', from, '--', file])
      const m = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/m.exec(out)
      if (!m) return undefined
      // A pure deletion hunk names the line before it (+N,0); point at the next line, or line 1.
      return m[2] === '0' ? Math.max(1, Number(m[1]) + 1) : Number(m[1])
    } catch {
      return undefined
    }
  }

  /** Full messages of the commits in `from..HEAD`. */
  async messages(from: string): Promise<CommitMessage[]> {
    const out = await this.git.raw(['log', '--format=%H%x00%B%x1e', `${from}..HEAD`])
    return out
      .split('\x1e')
      .map((record) => record.replace(/^\n/, ''))
      .filter((record) => record.includes('\0'))
      .map((record) => {
        const [sha = '', message = ''] = record.split('\0')
        return { sha, message }
      })
  }
}

/** `git diff --name-status -z` output: "STATUS\0path\0", or "RNN\0old\0new\0" for renames and copies. */
export function parseNameStatus(out: string): ChangedFile[] {
  const fields = out.split('\0')
  const files: ChangedFile[] = []
  for (let i = 0; i < fields.length;) {
    const status = fields[i++] ?? ''
    if (status === '') continue
    const kind = status[0]
    if (kind === 'R' || kind === 'C') {
      const oldPath = fields[i++] ?? ''
      const newPath = fields[i++] ?? ''
      // A copy leaves the original in place: for these rules it is a new file.
      if (kind === 'C') files.push({ status: 'A', path: newPath })
      else files.push({ status: 'R', path: newPath, oldPath, similarity: Number(status.slice(1)) || 0 })
      continue
    }
    const file = fields[i++] ?? ''
    files.push({ status: kind === 'A' ? 'A' : kind === 'D' ? 'D' : 'M', path: file })
  }
  return files
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  return (
    text
      .split('\n')
      .map((s) => s.trim())
      .find((s) => s && !s.startsWith('hint:')) ?? 'git failed'
  )
}

/** GateError for the git checks: they are switched on by a base, so the base-ref input is the one to name. */
export function baseError(message: string): GateError {
  return new GateError(`base-ref: ${message}`, 'base-ref')
}
