// Escaping for user-controlled text (revision ids and messages, file names, database errors) where
// GitHub renders it: Markdown with HTML (job summary, PR comment) and Mermaid labels. Everything a
// user wrote passes through one of these; only the renderers' own markup stays raw.

/**
 * Characters that mean something to GitHub's Markdown or HTML anywhere in a line: HTML (& < > " '),
 * code spans (`), table cells (|), emphasis (* _ ~), links and images ([ ] !), escapes (\),
 * mentions (@, which would notify people from a PR comment), issue references (#), math ($).
 * Replaced by numeric entities, which render as the character itself and are decoded only after
 * GitHub has split table rows and found the markup.
 */
const MARKDOWN_SPECIAL = /[&<>"'`|*_~[\]!\\@#$]/g

/** Inline text for Markdown: special characters as entities, line breaks as spaces. */
export function md(text: string): string {
  return text.replace(MARKDOWN_SPECIAL, (c) => `&#${c.charCodeAt(0)};`).replace(/\r\n?|\n/g, ' ')
}

/**
 * A block of user text that keeps its lines (SQL), for inside <pre>: special characters as entities
 * as md() does, line breaks kept. <pre> starts an HTML block that only </pre> ends, so blank lines
 * inside cannot drop GitHub back into Markdown.
 */
export function preText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(MARKDOWN_SPECIAL, (c) => `&#${c.charCodeAt(0)};`)
}

/** Inline code that holds user text: <code> decodes the entities that a backtick span would show raw. */
export function code(text: string): string {
  return `<code>${md(text)}</code>`
}

/** At most `max` characters (code points, so an emoji is never cut in half), with an ellipsis. */
export function clip(text: string, max: number): string {
  const chars = Array.from(text)
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`
}

/**
 * A Mermaid label inside `["..."]`: everything but plain letters, digits and a few separators as a
 * Mermaid entity code (#60; for <), so quotes cannot end the label, brackets and backticks cannot
 * start Mermaid syntax, and ``` cannot close the fenced block.
 */
export function mermaidText(text: string): string {
  let out = ''
  for (const ch of text.replace(/\s+/g, ' ')) {
    out += /^[A-Za-z0-9 _.,:/-]$/.test(ch) ? ch : `#${ch.codePointAt(0)};`
  }
  return out
}

/** A URL path segment (a file name in a blob link). */
export function urlPath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/')
}

/**
 * Text for the step log: the runner takes any line that starts with `::` after leading spaces for a
 * workflow command (`::add-mask::`, `::stop-commands::` would silence the annotations), so such a
 * line gets a zero-width space between the colons; and its older parser takes `##[command]` anywhere
 * in a line (`##[stop-commands]`), so `##[` gets one too. It reads the same and commands nothing.
 */
export function inertLog(text: string): string {
  return inertCommandText(text.replace(/^([ \t]*):(?=:)/gm, '$1:\u200b'))
}

/**
 * Text that goes inside a workflow command (an annotation's message or title, a warning, setFailed):
 * the toolkit escapes newlines there, so no line can start a command, but `##[` anywhere still can.
 */
export function inertCommandText(text: string): string {
  return text.replace(/##\[/g, '##\u200b[')
}
