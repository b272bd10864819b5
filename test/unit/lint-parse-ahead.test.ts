// ParseAhead: the observed steps' statements parsed in the replay's waits, and the rules' parser
// answering from them: the same result as parsing then (the same objects, not parsed twice), a
// rejected statement rejected again with the parser's own error, and one never added parsed as asked.
import { describe, expect, it } from 'vitest'
import { ParseAhead } from '../../src/lint/parse-ahead.js'
import { loadParser } from '../../src/lint/parser.js'

const settled = async (ahead: ParseAhead) => {
  // Parsing runs in setImmediate slices once the parser loaded: wait until the queue is done.
  await loadParser()
  for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve))
  return ahead
}

describe('ParseAhead', () => {
  it('answers from what it parsed during the replay, and parses the rest when asked', async () => {
    const ahead = new ParseAhead()
    ahead.add([{ sql: 'CREATE INDEX i ON t (a)' }, { sql: 'ALTER TABLE t ADD COLUMN b int; SELECT 1' }])
    ahead.add([{ sql: 'CREATE INDEXX broken' }])
    await settled(ahead)
    const parse = await ahead.parse()
    const direct = await loadParser()
    const index = parse('CREATE INDEX i ON t (a)')
    expect(index).toEqual(direct('CREATE INDEX i ON t (a)'))
    expect(parse('CREATE INDEX i ON t (a)')).toBe(index) // parsed once, ahead
    expect(parse('ALTER TABLE t ADD COLUMN b int; SELECT 1').map((p) => p.sql)).toEqual([
      'ALTER TABLE t ADD COLUMN b int',
      'SELECT 1',
    ])
    expect(() => parse('CREATE INDEXX broken')).toThrow(/syntax error/)
    expect(parse('DROP TABLE t')[0]?.sql).toBe('DROP TABLE t')
  })

  it('never loads anything for steps that sent nothing', async () => {
    const ahead = new ParseAhead()
    ahead.add([])
    expect((ahead as unknown as { loading?: unknown }).loading).toBeUndefined()
  })
})
