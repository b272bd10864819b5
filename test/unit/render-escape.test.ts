// The escaping every renderer relies on, over the characters that break Markdown, HTML and Mermaid.
import { describe, expect, it } from 'vitest'
import { clip, code, inertCommandText, inertLog, md, mermaidText, urlPath } from '../../src/render/escape.js'
import { stderrLogger } from '../../src/logger.js'
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

  it("neutralises the older parser's ##[command] wherever it stands in a line", () => {
    const out = inertLog('revision "x ##[stop-commands]token" failed\n##[warning]fake\n  ##[group]g')
    expect(out).not.toContain('##[')
    expect(out.split('\n')[0]).toBe('revision "x ##\u200b[stop-commands]token" failed')
  })
})

describe('inertCommandText: user text inside a workflow command (annotation, warning, setFailed)', () => {
  it('leaves no ##[ in a message or title, and changes nothing else', () => {
    expect(inertCommandText('Downgrading a ("##[stop-commands]t") fails')).toBe(
      'Downgrading a ("##\u200b[stop-commands]t") fails',
    )
    expect(inertCommandText('plain ## [text] and [x]')).toBe('plain ## [text] and [x]')
  })
})

describe('stderrLogger: the CLI in a workflow step', () => {
  it('writes every line inert, whatever the level', () => {
    const written: string[] = []
    const write = process.stderr.write
    process.stderr.write = ((chunk: string) => {
      written.push(chunk)
      return true
    }) as typeof process.stderr.write
    try {
      const log = stderrLogger(true)
      log.info('::add-mask::x')
      log.warn('a ##[stop-commands]b')
      log.debug('::error::y\nc ##[group]d')
    } finally {
      process.stderr.write = write
    }
    const lines = written.join('').split('\n').filter(Boolean)
    expect(lines).toHaveLength(4)
    for (const line of lines) {
      expect(line.trimStart().startsWith('::')).toBe(false)
      expect(line).not.toContain('##[')
    }
  })
})
