// A finding's message as a table cell shows it: the short part (what is wrong, what it breaks) in
// view, the fix folded under it. Checks write the consequence first and the fix last: mostly a
// sentence starting "Fix:", else a closing instruction ("Write the down SQL, or ...", "...; fix the
// upgrade."). A finding's own `fix` field, when a check sets it, wins over splitting the message.
import type { Finding } from '../report.js'

export interface MessageParts {
  /** What is wrong and what it breaks. */
  short: string
  /** How to fix it, when the message says. */
  fix?: string
}

/** "Fix:" where a sentence (or the message) starts: the first one, so nothing of the fix stays in view. */
const FIX_LABEL = /(?:^|\s)Fix:\s+/

/** Verbs a closing instruction starts with, as the checks write them. */
const VERBS = [
  'add',
  'change',
  'delete',
  'fix',
  'make',
  'move',
  'remove',
  'rename',
  'restore',
  'run',
  'set',
  'update',
  'write',
]
const capitalised = (v: string) => v[0]!.toUpperCase() + v.slice(1)
/**
 * An instruction as a sentence of its own ("... stops. Write the down SQL, ...") or a clause after a
 * semicolon ("...; fix the upgrade."). Not after a colon: what follows one is often the user's text
 * (an allow-list reason, a database error).
 */
const INSTRUCTION = new RegExp(
  `(?:(?<=[.!?])\\s+(?:${VERBS.map(capitalised).join('|')})|;\\s+(?:${VERBS.join('|')}))(?=[\\s,])`,
  'g',
)
/** A sentence break before the end: an instruction found before one is not the closing one. */
const SENTENCE_BREAK = /[.!?]\s+\S/

/** The consequence and the fix of a message (the fix with a capital, as a sentence of its own). */
export function splitMessage(message: string): MessageParts {
  const text = message.trim()
  const label = FIX_LABEL.exec(text)
  if (label && label.index > 0) {
    const fix = text.slice(label.index + label[0].length).trim()
    if (fix) return { short: text.slice(0, label.index).trim(), fix: sentence(fix) }
  }
  const last = [...text.matchAll(INSTRUCTION)].pop()
  if (last && last.index > 0) {
    // At the space after the sentence's full stop, or at the semicolon (left out of both parts).
    const at = last.index
    const fix = text.slice(at + 1).trim()
    if (!SENTENCE_BREAK.test(fix)) {
      const before = text.slice(0, at).trimEnd()
      return { short: /[.!?]$/.test(before) ? before : `${before}.`, fix: sentence(fix) }
    }
  }
  return { short: text }
}

/**
 * The parts a renderer shows: the finding's own `fix` when set (the message is then the consequence,
 * unless it still ends with that same fix), else the message split.
 */
export function messageParts(f: Pick<Finding, 'message' | 'fix'>): MessageParts {
  const split = splitMessage(f.message)
  if (f.fix === undefined || f.fix.trim() === '') return split
  const same = split.fix !== undefined && normal(split.fix) === normal(f.fix)
  return { short: same ? split.short : f.message.trim(), fix: sentence(f.fix.trim()) }
}

export interface Shortened {
  /** The text, or its start with "…" where it was cut. */
  shown: string
  /** What was cut off, when anything was. */
  rest?: string
}

/**
 * At most `max` characters (code points) of a text, cut after the last whole sentence that fits,
 * else at the last space, so the cell reads as a sentence; the rest is returned for the fold.
 */
export function shorten(text: string, max: number): Shortened {
  const chars = Array.from(text)
  if (chars.length <= max) return { shown: text }
  const window = chars.slice(0, max - 1).join('')
  const least = window.length * 0.4
  const sentenceEnd = lastIndex(window, /[.!?](?=\s)/g)
  const space = lastIndex(window, /\s/g)
  const cut =
    sentenceEnd !== undefined && sentenceEnd + 1 >= least
      ? sentenceEnd + 1
      : space !== undefined && space >= least
        ? space
        : window.length
  return {
    shown: `${window.slice(0, cut).trimEnd()}${cut === window.length ? '' : ' '}…`,
    rest: text.slice(cut).trim(),
  }
}

function lastIndex(text: string, pattern: RegExp): number | undefined {
  let at: number | undefined
  for (const m of text.matchAll(pattern)) at = m.index
  return at
}

/** A clause as a sentence: a leading lower-case word gets its capital ("run `x`" -> "Run `x`"). */
function sentence(text: string): string {
  return /^[a-z]+[\s,]/.test(text) ? text[0]!.toUpperCase() + text.slice(1) : text
}

const normal = (text: string) =>
  text
    .trim()
    .replace(/[.\s]+$/, '')
    .toLowerCase()
