// The sticky PR comment (src/github/comment.ts) against a faked GitHub API: only a comment the token's
// own identity wrote is ours to edit, whoever else starts a comment with the marker; an edit GitHub
// refuses becomes a new comment.
import { describe, expect, it } from 'vitest'
import { syncStickyComment, type CommentsApi } from '../../src/github/comment.js'
import { COMMENT_MARKER } from '../../src/render/comment.js'

interface User {
  login: string
  type: string
}
interface FakeComment {
  id: number
  body: string
  user: User | null
}

const BOT: User = { login: 'github-actions[bot]', type: 'Bot' }
const ALICE: User = { login: 'alice', type: 'User' }
const MALLORY: User = { login: 'mallory', type: 'User' }
const PR = { owner: 'acme', repo: 'app', number: 7 }
const forbidden = () => Object.assign(new Error('Resource not accessible by integration'), { status: 403 })

/**
 * One PR's comments. `token` is who the token is: a user (a personal access token, GET /user answers)
 * or 'installation' (the workflow's GITHUB_TOKEN: GET /user is refused, comments come from the bot).
 */
function fakeGitHub(options: {
  token: User | 'installation'
  comments: FakeComment[]
  /** Ids of the comments GitHub refuses to edit (403). */
  refuseEdit?: number[]
  refuseCreate?: boolean
}) {
  const calls: string[] = []
  const comments = options.comments.map((c) => ({ ...c }))
  const author = options.token === 'installation' ? BOT : options.token
  const api: CommentsApi = {
    async getAuthenticated() {
      calls.push('GET /user')
      if (options.token === 'installation') throw forbidden()
      return { data: options.token }
    },
    async listComments({ per_page, page }) {
      calls.push(`GET comments page ${page}`)
      return { data: comments.slice((page - 1) * per_page, page * per_page) }
    },
    async createComment({ body }) {
      calls.push('POST comment')
      if (options.refuseCreate) throw forbidden()
      const c = { id: 1000 + comments.length, body, user: author }
      comments.push(c)
      return { data: { id: c.id } }
    },
    async updateComment({ comment_id, body }) {
      calls.push(`PATCH comment ${comment_id}`)
      if (options.refuseEdit?.includes(comment_id)) throw forbidden()
      const c = comments.find((x) => x.id === comment_id)
      if (!c) throw Object.assign(new Error('Not Found'), { status: 404 })
      c.body = body
      return { data: { id: c.id } }
    },
  }
  return { api, calls, comments }
}

const failing = { result: 'fail' as const, failing: () => `${COMMENT_MARKER}\nnew findings`, passing: () => 'unused' }
const passing = { result: 'pass' as const, failing: () => 'unused', passing: () => `${COMMENT_MARKER}\npassing now` }

describe('the sticky comment is only ever one the token itself wrote', () => {
  it('ignores a marker comment by another user: a new comment is created, theirs is untouched', async () => {
    const gh = fakeGitHub({
      token: 'installation',
      comments: [{ id: 1, body: `${COMMENT_MARKER}\nplanted`, user: MALLORY }],
    })
    const outcome = await syncStickyComment(gh.api, PR, failing)
    expect(outcome).toMatchObject({ action: 'created', id: 1001 })
    expect(gh.comments[0]).toEqual({ id: 1, body: `${COMMENT_MARKER}\nplanted`, user: MALLORY })
    expect(gh.calls).not.toContain('PATCH comment 1')
  })

  it('a passing run with only a planted marker comment has nothing of its own to update', async () => {
    const gh = fakeGitHub({
      token: 'installation',
      comments: [{ id: 1, body: `${COMMENT_MARKER}\nplanted`, user: MALLORY }],
    })
    expect(await syncStickyComment(gh.api, PR, passing)).toEqual({ action: 'none' })
    expect(gh.calls.filter((c) => /^(PATCH|POST)/.test(c))).toEqual([])
  })

  it("GITHUB_TOKEN (GET /user refused): edits github-actions[bot]'s comment, past an older planted one", async () => {
    const gh = fakeGitHub({
      token: 'installation',
      comments: [
        { id: 1, body: `${COMMENT_MARKER}\nplanted`, user: MALLORY },
        { id: 2, body: `${COMMENT_MARKER}\nold findings`, user: BOT },
      ],
    })
    expect(await syncStickyComment(gh.api, PR, failing)).toMatchObject({ action: 'updated', id: 2 })
    expect(gh.comments.map((c) => c.body)).toEqual([`${COMMENT_MARKER}\nplanted`, `${COMMENT_MARKER}\nnew findings`])
  })

  it("a personal access token (GET /user answers): edits its user's comment, not the bot's", async () => {
    const gh = fakeGitHub({
      token: ALICE,
      comments: [
        { id: 1, body: `${COMMENT_MARKER}\nfrom the bot`, user: BOT },
        { id: 2, body: `${COMMENT_MARKER}\nold findings`, user: ALICE },
        { id: 3, body: `${COMMENT_MARKER}\nplanted`, user: MALLORY },
      ],
    })
    expect(await syncStickyComment(gh.api, PR, failing)).toMatchObject({ action: 'updated', id: 2 })
    expect(gh.comments.map((c) => c.body)).toEqual([
      `${COMMENT_MARKER}\nfrom the bot`,
      `${COMMENT_MARKER}\nnew findings`,
      `${COMMENT_MARKER}\nplanted`,
    ])
  })

  it('a comment without an author (a deleted account) is not ours', async () => {
    const gh = fakeGitHub({
      token: 'installation',
      comments: [{ id: 1, body: `${COMMENT_MARKER}\nghost`, user: null }],
    })
    expect(await syncStickyComment(gh.api, PR, failing)).toMatchObject({ action: 'created' })
  })

  it('finds its comment on a later page', async () => {
    const others = Array.from({ length: 100 }, (_, i) => ({
      id: i + 1,
      body: `${COMMENT_MARKER}\n${i}`,
      user: MALLORY,
    }))
    const gh = fakeGitHub({
      token: 'installation',
      comments: [...others, { id: 101, body: `${COMMENT_MARKER}\nold findings`, user: BOT }],
    })
    expect(await syncStickyComment(gh.api, PR, failing)).toMatchObject({ action: 'updated', id: 101 })
    expect(gh.calls).toContain('GET comments page 2')
  })
})

describe('a refused edit, a refused create', () => {
  it('a 403 on the edit posts a new comment instead', async () => {
    const gh = fakeGitHub({
      token: 'installation',
      comments: [{ id: 2, body: `${COMMENT_MARKER}\nold findings`, user: BOT }],
      refuseEdit: [2],
    })
    expect(await syncStickyComment(gh.api, PR, failing)).toMatchObject({ action: 'created', id: 1001 })
    expect(gh.calls.filter((c) => /^(PATCH|POST)/.test(c))).toEqual(['PATCH comment 2', 'POST comment'])
    expect(gh.comments.at(-1)).toMatchObject({ body: `${COMMENT_MARKER}\nnew findings`, user: BOT })
    // The next run edits the new one, its newest, rather than add a comment on every run.
    const next = { ...failing, failing: () => `${COMMENT_MARKER}\nnewer findings` }
    expect(await syncStickyComment(gh.api, PR, next)).toMatchObject({ action: 'updated', id: 1001 })
    expect(gh.comments).toHaveLength(2)
  })

  it('a 403 on the create (a fork) is a warning naming the missing permission, edit refused or not', async () => {
    for (const comments of [[], [{ id: 2, body: `${COMMENT_MARKER}\nold findings`, user: BOT }]]) {
      const gh = fakeGitHub({ token: 'installation', comments, refuseEdit: [2], refuseCreate: true })
      const outcome = await syncStickyComment(gh.api, PR, failing)
      expect(outcome).toEqual({ action: 'failed', warning: expect.stringMatching(/^comment: the token may not write/) })
      expect(outcome.action === 'failed' && outcome.warning).toMatch(/permissions: pull-requests: write/)
    }
  })
})
