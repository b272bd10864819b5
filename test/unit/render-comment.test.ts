// The sticky PR comment: its body over reports recorded from real runs (render-reports.ts), and the create / update-in-place /
// passing-now / read-only logic against a fake GitHub API (an in-memory issue thread).
import { describe, expect, it } from 'vitest'
import type { GateReport } from '../../src/report.js'
import { GITHUB_ACTIONS_BOT, syncStickyComment, type CommentsApi } from '../../src/github/comment.js'
import { COMMENT_LIMIT, COMMENT_MARKER, renderComment, renderPassingComment } from '../../src/render/comment.js'
import { recorded, repoRoot } from './render-reports.js'

const reports: Record<string, GateReport> = {
  fail: recorded('enum-residue-stairway'),
  pass: recorded('clean-stairway'),
  hostile: recorded('hostile'),
  many: recorded('missing-parents-2500'),
  // A real PR on git: main has the enum residue; the branch adds a revision whose upgrade fails.
  old: recorded('pre-existing-residue'),
}

const options = { rootDir: repoRoot, runUrl: 'https://github.com/acme/app/actions/runs/42', sha: 'f'.repeat(40) }

describe('comment body', () => {
  it('starts with the hidden marker, then the verdict and the findings table', () => {
    const body = renderComment(reports.fail!, options)
    const lines = body.split('\n')
    expect(lines[0]).toBe(COMMENT_MARKER)
    expect(lines[1]).toBe('### ❌ migration-gate: fail (1 error)')
    expect(body).toContain('| <code>downgrade-residue</code> | ❌ error | <code>32c3ebc38184</code> |')
    expect(body).toContain('[job summary and chain diagram](https://github.com/acme/app/actions/runs/42)')
    expect(body).toContain('Checked at ffffffffffff')
  })

  it("shares the summary's row: the short message, the fix and the details folded under it", () => {
    const body = renderComment(reports.fail!, options)
    const row = body.split('\n').find((l) => l.startsWith('| <code>downgrade-residue</code>'))!
    expect(row).toContain('and the next upgrade may fail. <details><summary>fix · ')
    expect(row).toContain(
      '</summary>Fix: Make the downgrade undo everything the upgrade does; it still needs &#96;DROP TYPE mood&#96;.<br>• ',
    )
    expect(row.endsWith('</details> |')).toBe(true)
    expect(row.match(/\|/g)).toHaveLength(6)
  })

  it('escapes hostile revision text: no HTML, no mention, no second marker, table intact', () => {
    const body = renderComment(reports.hostile!, options)
    expect(body).not.toMatch(/<(script|img)/i)
    expect(body).not.toContain('@octocat')
    expect(body.split(COMMENT_MARKER)).toHaveLength(2)
    for (const row of body.split('\n').filter((l) => l.startsWith('| <code>'))) expect(row.match(/\|/g)).toHaveLength(6)
  })

  it('stays under 65,536 characters with 2,500 findings and says how many are left out', () => {
    const body = renderComment(reports.many!, options)
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT)
    expect(body.length).toBeLessThan(65_536)
    const rows = body.split('\n').filter((l) => l.startsWith('| <code>missing-parent')).length
    const more = Number(/_(\d+) more findings in the job summary\._/.exec(body)?.[1])
    expect(rows + more).toBe(2500)
  })

  it("lists only this change's findings, counts the pre-existing ones, and names the base", () => {
    const r = reports.old!
    expect(r.findings.map((f) => `${f.id}@${f.revision} ${f.severity}${f.preExisting ? ' pre-existing' : ''}`)).toEqual(
      expect.arrayContaining([
        'upgrade-failed@5b0c1d2e3f40 error',
        'downgrade-residue@32c3ebc38184 notice pre-existing',
      ]),
    )
    const body = renderComment(r, options)
    const rows = body.split('\n').filter((l) => l.startsWith('| <code>'))
    expect(rows.some((l) => l.startsWith('| <code>upgrade-failed</code> | ❌ error | <code>5b0c1d2e3f40</code>'))).toBe(
      true,
    )
    expect(rows.some((l) => l.includes('downgrade-residue'))).toBe(false)
    expect(body).toContain('1 pre-existing finding (revisions the base already has) in the job summary.')
    expect(body).toContain('Compared with <code>main</code> (merge base <code>')
    expect(body).toContain("this change's revisions: <code>5b0c1d2e3f40</code>")
  })

  it('becomes a short "passing now" once fixed', () => {
    const body = renderPassingComment(reports.pass!, options)
    expect(body.startsWith(`${COMMENT_MARKER}\n### ✅ migration-gate passes now`)).toBe(true)
    expect(body.length).toBeLessThan(600)
  })
})

/**
 * An issue thread in memory, with the calls the client makes, for the workflow's GITHUB_TOKEN (GET
 * /user refused; it writes as github-actions[bot], as the seeded comments are); `readOnly` answers as
 * a fork's token does. Which author counts as the gate's: test/unit/github-comment.test.ts.
 */
function fakeGitHub(options: { readOnly?: boolean; comments?: Array<{ id: number; body: string }> } = {}) {
  const comments = (options.comments ?? []).map((c) => ({ ...c, user: GITHUB_ACTIONS_BOT }))
  const calls: string[] = []
  let next = 1000
  const forbidden = () =>
    Object.assign(new Error('Resource not accessible by integration'), { status: 403, name: 'HttpError' })
  const api: CommentsApi = {
    async getAuthenticated() {
      throw forbidden()
    },
    async listComments({ per_page, page }) {
      calls.push(`list ${page}`)
      return { data: comments.slice((page - 1) * per_page, page * per_page) }
    },
    async createComment({ issue_number, body }) {
      calls.push(`create #${issue_number}`)
      if (options.readOnly) throw forbidden()
      const c = { id: next++, body, user: GITHUB_ACTIONS_BOT }
      comments.push(c)
      return { data: { id: c.id, html_url: `https://github.com/acme/app/pull/7#issuecomment-${c.id}` } }
    },
    async updateComment({ comment_id, body }) {
      calls.push(`update ${comment_id}`)
      if (options.readOnly) throw forbidden()
      const c = comments.find((x) => x.id === comment_id)
      if (!c) throw Object.assign(new Error('Not Found'), { status: 404 })
      c.body = body
      return { data: { id: c.id } }
    },
  }
  return { api, comments, calls }
}

const pr = { owner: 'acme', repo: 'app', number: 7 }
const bodies = (report: GateReport) => ({
  result: report.result,
  failing: () => renderComment(report, options),
  passing: () => renderPassingComment(report, options),
})

describe('sticky comment against a fake GitHub API', () => {
  it('creates one comment when the gate fails and there is none', async () => {
    const gh = fakeGitHub({ comments: [{ id: 1, body: 'LGTM' }] })
    const outcome = await syncStickyComment(gh.api, pr, bodies(reports.fail!))
    expect(outcome).toMatchObject({ action: 'created', id: 1000, url: expect.stringContaining('issuecomment-1000') })
    expect(gh.comments).toHaveLength(2)
    expect(gh.comments[1]!.body).toBe(renderComment(reports.fail!, options))
  })

  it('updates the same comment in place on the next failing run, and leaves an identical one alone', async () => {
    const gh = fakeGitHub({ comments: [{ id: 5, body: `${COMMENT_MARKER}\nold findings` }] })
    expect(await syncStickyComment(gh.api, pr, bodies(reports.fail!))).toMatchObject({ action: 'updated', id: 5 })
    expect(gh.comments).toHaveLength(1)
    expect(gh.comments[0]!.body).toBe(renderComment(reports.fail!, options))
    expect(await syncStickyComment(gh.api, pr, bodies(reports.fail!))).toEqual({ action: 'unchanged', id: 5 })
    expect(gh.calls.filter((c) => c.startsWith('update'))).toEqual(['update 5'])
  })

  it('turns the comment into "passing now" when the gate passes again', async () => {
    const gh = fakeGitHub()
    await syncStickyComment(gh.api, pr, bodies(reports.fail!))
    expect(await syncStickyComment(gh.api, pr, bodies(reports.pass!))).toMatchObject({ action: 'updated', id: 1000 })
    expect(gh.comments).toHaveLength(1)
    expect(gh.comments[0]!.body).toBe(renderPassingComment(reports.pass!, options))
  })

  it('creates nothing when the gate passes and there was no comment', async () => {
    const gh = fakeGitHub({ comments: [{ id: 1, body: 'mentions <!-- migration-gate --> later, not first' }] })
    expect(await syncStickyComment(gh.api, pr, bodies(reports.pass!))).toEqual({ action: 'none' })
    expect(gh.calls).toEqual(['list 1'])
    expect(gh.comments).toHaveLength(1)
  })

  it('finds its comment on a later page of a long thread', async () => {
    const chatter = Array.from({ length: 150 }, (_, i) => ({ id: i + 1, body: `comment ${i}` }))
    const gh = fakeGitHub({ comments: [...chatter, { id: 999, body: `${COMMENT_MARKER}\nold` }] })
    expect(await syncStickyComment(gh.api, pr, bodies(reports.fail!))).toMatchObject({ action: 'updated', id: 999 })
    expect(gh.calls).toEqual(['list 1', 'list 2', 'update 999'])
  })

  it("turns a fork's read-only token (403) into a warning, never a throw", async () => {
    const gh = fakeGitHub({ readOnly: true })
    const outcome = await syncStickyComment(gh.api, pr, bodies(reports.fail!))
    expect(outcome.action).toBe('failed')
    const warning = (outcome as { warning: string }).warning
    expect(warning).toMatch(
      /^comment: the token may not write to this pull request \(Resource not accessible by integration\)/,
    )
    expect(warning).toContain('fork')
    expect(warning).toContain('pull-requests: write')
  })

  it('turns any other API failure into a warning too', async () => {
    const api: CommentsApi = {
      getAuthenticated: async () => ({ data: { login: 'alice', type: 'User' } }),
      listComments: async () => {
        throw Object.assign(new Error('Server Error\nsecond line'), { status: 502 })
      },
      createComment: async () => ({ data: { id: 0 } }),
      updateComment: async () => ({ data: { id: 0 } }),
    }
    expect(await syncStickyComment(api, pr, bodies(reports.fail!))).toEqual({
      action: 'failed',
      warning:
        'comment: could not write the pull request comment (HTTP 502: Server Error); the findings are in the job summary.',
    })
  })
})
