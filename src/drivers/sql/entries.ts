// The entries of a migrations directory as the tools meet them: regular files (or symlinks to one)
// to read, and whatever else stands under a migration's name (a directory, a symlink loop, a
// dangling symlink, a named pipe), said in words. Told from the directory entry, lstat and stat
// alone: opening a named pipe blocks until a writer comes, which none will.
import { lstatSync, readdirSync, readlinkSync, statSync } from 'node:fs'
import path from 'node:path'
import { clipMiddle } from '../../clip.js'

export interface NotAFile {
  /** What stands there, as a noun phrase: "a directory", "a dangling symlink (to x.sql)". */
  what: string
  /** What the tool does with it: skips it (a directory), blocks on it (a pipe), or fails reading it. */
  effect: 'skipped' | 'blocks' | 'fails'
}

export interface Entry {
  name: string
  /** Set when the entry is not a regular file (nor a symlink to one). */
  notAFile?: NotAFile
}

/** Each entry of `dir`, sorted by name in code-unit order as the tools sort them. */
export function listEntries(dir: string): Entry[] {
  return readdirSync(dir, { withFileTypes: true })
    .map((e): Entry => {
      if (e.isFile()) return { name: e.name }
      const notAFile = whatIsNotAFile(path.join(dir, e.name))
      return notAFile ? { name: e.name, notAFile } : { name: e.name }
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

/** What stands at `p` when it is not a regular file (nor a symlink to one); undefined for a file. */
export function whatIsNotAFile(p: string): NotAFile | undefined {
  let entry
  try {
    entry = lstatSync(p)
  } catch (error) {
    // Gone between the listing and now: it cannot be read either.
    return { what: `an entry that vanished (${code(error)})`, effect: 'fails' }
  }
  if (entry.isFile()) return undefined
  if (!entry.isSymbolicLink())
    return { what: kind(entry), effect: entry.isDirectory() ? 'skipped' : blocksOrFails(entry) }
  let target
  try {
    target = statSync(p)
  } catch (error) {
    const why = code(error)
    if (why === 'ELOOP') return { what: 'a symlink loop', effect: 'fails' }
    if (why === 'ENOENT' || why === 'ENOTDIR')
      return { what: `a dangling symlink (to ${linkTarget(p)})`, effect: 'fails' }
    return { what: `a symlink that cannot be followed (${why})`, effect: 'fails' }
  }
  if (target.isFile()) return undefined
  // The tools list entries without following links, so a link is read even when it leads to a directory.
  return { what: `a symlink to ${kind(target)}`, effect: blocksOrFails(target) }
}

interface Kind {
  isDirectory(): boolean
  isFIFO(): boolean
  isSocket(): boolean
  isCharacterDevice(): boolean
  isBlockDevice(): boolean
}

function kind(s: Kind): string {
  if (s.isDirectory()) return 'a directory'
  if (s.isFIFO()) return 'a named pipe'
  if (s.isSocket()) return 'a socket'
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'a device file'
  return 'a special file'
}

/** Opening a named pipe (or a character device such as a terminal) for reading can wait for ever. */
function blocksOrFails(s: Kind): NotAFile['effect'] {
  return s.isFIFO() || s.isCharacterDevice() ? 'blocks' : 'fails'
}

function linkTarget(p: string): string {
  try {
    return clipMiddle(readlinkSync(p), 200)
  } catch {
    return 'nowhere'
  }
}

function code(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? 'error'
}

/**
 * The reason a finding gives for such an entry: what it is, that `tool` cannot read it, and what
 * the tool then does, as a clause about "it" (graph.ts makes the sentence), and the fix.
 */
export function notAFileReason(tool: string, entry: NotAFile): { reason: string; fix: string } {
  const effect = {
    skipped: `it skips a directory without a word, so this migration never runs`,
    blocks: `opening it waits for a writer that never comes, so ${tool} hangs there`,
    fails: `${tool} stops with an error when it reaches it`,
  }[entry.effect]
  return {
    reason: `it is ${entry.what}, not a file, so ${tool} cannot read it (${effect})`,
    fix: "put the migration's SQL in a regular file of this name, or remove it",
  }
}
