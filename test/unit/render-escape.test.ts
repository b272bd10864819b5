// The escaping every renderer relies on, over the characters that break Markdown, HTML and Mermaid.
import { describe, expect, it } from 'vitest'
import { clip, code, inertLog, md, mermaidText, urlPath } from '../../src/render/escape.js'
import { HOSTILE } from './render-reports.js'

describe('md: user text inline in GitHub Markdown', () => {
  it('leaves no character that starts HTML, code, emphasis, links, mentions, references or math', () => {
    const out = md(HOSTILE)
    // Outside the entities themselves, nothing special is left.
    expect(out.replace(/&#\d+;/g, '')).not.toMatch(/[<>`|*_[\]!@#$"'\\&~]/)
    expect(out).toContain('&#60;script&#62;')
    expect(out).toContain('&#64;octocat')
    expect(out).toContain('&#124; pipe')
  })

  it('escapes & so an entity in user text shows as written, and puts line breaks on one line', () => {
    expect(md('&lt; a\nb\r\nc')).toBe('&#38;lt; a b c')
  })

  it('code() wraps escaped text in <code>, whose entities GitHub decodes (a backtick span would not)', () => {
    expect(code('a`b|c')).toBe('<code>a&#96;b&#124;c</code>')
  })
})

describe('mermaidText: user text inside a quoted Mermaid label', () => {
  it('keeps only letters, digits and plain separators; the rest become #code; entities', () => {
    const out = mermaidText(HOSTILE)
    expect(out).toMatch(/^[A-Za-z0-9 _.,:/#;-]*$/)
    expect(out).not.toContain('"')
    expect(out).not.toContain('`')
    expect(out).toContain('#60;script#62;')
    expect(mermaidText('%% comment')).toBe('#37;#37; comment')
    expect(mermaidText('a\n\tb')).toBe('a b')
    expect(mermaidText('✖')).toBe('#10006;')
  })
})

describe('clip and urlPath', () => {
  it('clips by code points, never halving an emoji', () => {
    expect(clip('abcdef', 4)).toBe('abc…')
    expect(clip('ab', 4)).toBe('ab')
    expect(clip('😀😀😀😀😀', 3)).toBe('😀😀…')
  })

  it('encodes each path segment of a link', () => {
    expect(urlPath('a b/c#d/e?.py')).toBe('a%20b/c%23d/e%3F.py')
  })
})

describe('inertLog: user text in the step log', () => {
  it('keeps a line from being read as a workflow command, wherever it starts', () => {
    const out = inertLog('ok\n::stop-commands::x\n    ::add-mask::secret\nnot :: at start')
    expect(out.split('\n')).toEqual([
      'ok',
      ':\u200b:stop-commands::x',
      '    :\u200b:add-mask::secret',
      'not :: at start',
    ])
    // What the runner does: trim the start, then look for "::".
    for (const line of out.split('\n')) expect(line.trimStart().startsWith('::')).toBe(false)
  })
})
