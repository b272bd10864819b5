// Where the live database stands, as the job summary and the terminal show it (mode live), over
// reports recorded from real runs (render-reports.ts): a database 4 revisions behind, and one at a
// revision the chain does not have.
import { describe, expect, it } from 'vitest'
import { renderSummary } from '../../src/render/summary.js'
import { renderTerminal } from '../../src/render/terminal.js'
import { recorded } from './render-reports.js'

const behind = recorded('live-behind')
const unknown = recorded('live-unknown-revision')

describe('the live database in the renderers', () => {
  it('the summary: where it stands, then the pending revisions in order with file:line', () => {
    const text = renderSummary(behind)
    expect(text).toContain('### Live database')
    expect(text).toContain(
      "<code>db.example.com:5432/production</code> (PostgreSQL 15.18) is at <code>2408316dc6a3</code> (<code>public.alembic&#95;version</code>); the chain's head is <code>bb86aaac9fb9</code>: 4 revisions behind. 5 read-only queries, nothing written.",
    )
    expect(text).toContain('<details open><summary>4 pending revisions, in the order they will run</summary>')
    const rows = text.split('\n').filter((l) => /^\| \d \| /.test(l))
    expect(rows.map((r) => r.split(' | ')[1])).toEqual([
      '<code>2aa223e4e29e</code>',
      '<code>8dca1cf9ca88</code>',
      '<code>e6777887bdf6</code>',
      '<code>bb86aaac9fb9</code>',
    ])
    expect(rows[0]).toContain(
      '<code>test/fixtures/alembic-clean/alembic/versions/2aa223e4e29e&#95;add&#95;last&#95;message&#95;at&#95;to&#95;chats.py:13</code>',
    )
    expect(rows[0]).toContain('| add last&#95;message&#95;at to chats |')
  })

  it('the summary folds the SQL each pending revision will run (offline mode), its lines kept, user text inert', () => {
    const text = renderSummary(behind)
    const block = text.split('<details><summary>SQL of <code>8dca1cf9ca88</code></summary>')[1]?.split('</details>')[0]
    expect(block).toBeDefined()
    expect(block).toContain(
      '<pre>BEGIN;\n\n-- Running upgrade 2aa223e4e29e -&#62; 8dca1cf9ca88\n\nCREATE TYPE pdf&#95;status AS ENUM (&#39;uploaded&#39;',
    )
    expect(block?.replace(/<\/?pre>/g, '')).not.toMatch(/[<>]/)
    const hostile = {
      ...behind,
      live: {
        ...behind.live!,
        pending: [{ ...behind.live!.pending![0]!, sql: 'SELECT 1;\n</pre><script>x</script>\n\n@octocat' }],
      },
    }
    const shown = renderSummary(hostile)
    expect(shown).toContain('<pre>SELECT 1;\n&#60;/pre&#62;&#60;script&#62;x&#60;/script&#62;\n\n&#64;octocat</pre>')
  })

  it('the terminal: the same standing line and the pending ids', () => {
    const lines = renderTerminal(behind, { colour: false }).split('\n')
    // The scratch server the chain's schema was built on, to compare and to predict.
    expect(lines[0]).toBe('migration-gate: PASS (alembic, live, 6 revisions, local PostgreSQL 15.18)')
    expect(lines[1]).toBe(
      "  live: db.example.com:5432/production (PostgreSQL 15.18) is at 2408316dc6a3 (public.alembic_version); the chain's head is bb86aaac9fb9: 4 revisions behind; 5 read-only queries",
    )
    expect(lines[2]).toBe('  pending, in order: 2aa223e4e29e, 8dca1cf9ca88, e6777887bdf6, bb86aaac9fb9')
  })

  it('at an unknown revision: how far behind cannot be told, no pending list', () => {
    const text = renderSummary(unknown)
    expect(text).toContain('is at <code>feedfacecafe</code> (<code>public.alembic&#95;version</code>)')
    expect(text).toContain('how far behind cannot be told')
    expect(text).not.toContain('pending revision')
    expect(renderTerminal(unknown, { colour: false })).not.toContain('pending, in order')
  })

  it('a report without a live database has no such section', () => {
    expect(renderSummary(recorded('clean-stairway'))).not.toContain('Live database')
    expect(renderTerminal(recorded('clean-stairway'), { colour: false })).not.toContain('  live: ')
  })
})
