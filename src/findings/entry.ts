// What every catalogue entry is: the id, the severity it usually has, which phase checks it, and
// the two sentences the README's findings table shows. A check never writes a Finding itself: it
// calls its entry's constructor with facts, so each finding's wording lives in one file.
import type { Finding, FindingId, Severity } from '../report.js'

export type CheckedBy = 'chain' | 'git' | 'replay' | 'drift' | 'live' | 'lint'

export interface FindingEntry<I extends FindingId = FindingId> {
  id: I
  /** The usual severity; inputs (`strict`, `allow-irreversible`, ...) and a known base change some. */
  severity: Severity
  /** The phase that finds it: the static chain read, the git checks, the replay, model drift, the live database (mode live), the dangerous-operation rules (lint). */
  checked: CheckedBy
  /** What happened, in a few words (Markdown): the README's and docs/report.md's tables. */
  happened: string
  /** What users would have seen without the gate (Markdown): the README's table. */
  seen: string
  /**
   * Pinned on one revision's own code (a replay finding, or a warning about one revision's file):
   * with a base known, one on a revision the base already has is pre-existing, not the PR's.
   */
  revisionScoped?: true
  /** Points at the revision's downgrade (`def downgrade()`, the down file), not its declaration. */
  atDowngrade?: true
}

/** Where a finding points, and the lines it adds: what a check knows besides the words. */
export interface Place {
  revision?: string
  /** Relative to the project dir, POSIX separators. */
  file?: string
  line?: number
  details?: string[]
}

/**
 * The one place a Finding object is assembled. `message` states what is wrong and its consequence;
 * `fix` how to fix it (renderers fold it under the message; only a finding that needs nothing done,
 * such as one an allow-list accepted, has none). Empty places are left out, so the report carries no
 * `"file": undefined`.
 */
export function build(
  entry: FindingEntry,
  text: { message: string; fix?: string },
  place: Place = {},
  severity: Severity = entry.severity,
): Finding {
  const f: Finding = { id: entry.id, severity, message: text.message }
  if (text.fix !== undefined) f.fix = sentence(text.fix)
  if (place.revision !== undefined) f.revision = place.revision
  if (place.file !== undefined && place.file !== '') f.file = place.file
  if (place.line !== undefined && place.line > 0) f.line = place.line
  if (place.details !== undefined) f.details = place.details
  return f
}

/** A clause as a sentence: a leading lower-case word gets its capital ("run `x`" -> "Run `x`"). */
function sentence(text: string): string {
  return /^[a-z]+[\s,]/.test(text) ? text[0]!.toUpperCase() + text.slice(1) : text
}

/** A sentence's first letter capitalised (wording fragments drivers give start lower case). */
export function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1)
}

/** "1 difference", "3 differences". */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`
}

/**
 * A quoted error closed by the sentence around it: "x fails: <error>. A deploy ..." with one full stop
 * whether or not the error brought its own (Django's and Python's messages usually do).
 */
export function stop(error: string): string {
  const trimmed = error.trimEnd()
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`
}
