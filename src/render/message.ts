// A finding's message as a table cell shows it: the short part (what is wrong, what it breaks) in
// view, the fix folded under it. The catalogue (src/findings/) gives every finding its fix apart
// from the message, so nothing here has to guess where a fix starts.
import type { Finding } from '../report.js'

export interface MessageParts {
  /** What is wrong and what it breaks. */
  short: string
  /** How to fix it (absent on a finding that needs nothing done). */
  fix?: string
}

/** The parts a renderer shows. */
export function messageParts(f: Pick<Finding, 'message' | 'fix'>): MessageParts {
  const fix = f.fix?.trim()
  return { short: f.message.trim(), ...(fix ? { fix } : {}) }
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
