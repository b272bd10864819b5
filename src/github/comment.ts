// The one sticky PR comment: found by the hidden marker its body starts with, among the comments the
// token's own identity wrote (anyone may post a comment starting with the marker; the gate must
// neither edit theirs nor be stopped by it), updated in place. Created when the gate fails; turned
// into a short "passing now" when it passes again; never created for a passing run. Never throws: a
// comment that cannot be written (a fork's read-only token) is a warning for the caller, never a
// failed gate, since the verdict is the gate's and not the comment's.
import { COMMENT_MARKER } from '../render/comment.js'

/** A comment's author or the token's account, as GitHub's REST API gives them. */
export interface GitHubUser {
  login: string
  /** 'User', 'Bot', 'Organization' */
  type?: string
}

/**
 * The calls used, as octokit's `rest.issues` and `rest.users` have them; main.ts passes the real
 * client, a test a fake.
 */
export interface CommentsApi {
  /** GET /user: answers for a personal access token; an installation token (GITHUB_TOKEN) gets 403. */
  getAuthenticated(): Promise<{ data: GitHubUser }>
  listComments(params: {
    owner: string
    repo: string
    issue_number: number
    per_page: number
    page: number
  }): Promise<{ data: Array<{ id: number; body?: string | null; user?: GitHubUser | null }> }>
  createComment(params: {
    owner: string
    repo: string
    issue_number: number
    body: string
  }): Promise<{ data: { id: number; html_url?: string } }>
  updateComment(params: {
    owner: string
    repo: string
    comment_id: number
    body: string
  }): Promise<{ data: { id: number; html_url?: string } }>
}

export interface PullRequestRef {
  owner: string
  repo: string
  number: number
}

export type CommentOutcome =
  | { action: 'created' | 'updated' | 'unchanged'; id: number; url?: string }
  /** A passing run with no comment from an earlier failure: nothing to say. */
  | { action: 'none' }
  /** Could not read or write: `warning` says why and what to do. */
  | { action: 'failed'; warning: string }

export interface CommentBodies {
  result: 'pass' | 'fail'
  /** The full comment, for a failing run. */
  failing: () => string
  /** The short "passing now" update, for a passing run that had a comment. */
  passing: () => string
}

/** Who the workflow's GITHUB_TOKEN writes as. */
export const GITHUB_ACTIONS_BOT: GitHubUser = { login: 'github-actions[bot]', type: 'Bot' }

export async function syncStickyComment(
  api: CommentsApi,
  pr: PullRequestRef,
  bodies: CommentBodies,
): Promise<CommentOutcome> {
  const where = { owner: pr.owner, repo: pr.repo }
  try {
    const existing = await findSticky(api, pr, await tokenIdentity(api))
    if (bodies.result === 'pass' && !existing) return { action: 'none' }
    const body = bodies.result === 'fail' ? bodies.failing() : bodies.passing()
    const create = async (): Promise<CommentOutcome> => {
      const { data } = await api.createComment({ ...where, issue_number: pr.number, body })
      return { action: 'created', id: data.id, ...(data.html_url ? { url: data.html_url } : {}) }
    }
    if (!existing) return await create()
    if (existing.body === body) return { action: 'unchanged', id: existing.id }
    try {
      const { data } = await api.updateComment({ ...where, comment_id: existing.id, body })
      return { action: 'updated', id: data.id, ...(data.html_url ? { url: data.html_url } : {}) }
    } catch (error) {
      // Refused on that comment only (written with another token's rights, locked for edits): the
      // findings still belong on the pull request. A token that may not write at all fails the
      // create too, and that is the warning.
      if (statusOf(error) === 403) return await create()
      throw error
    }
  } catch (error) {
    return { action: 'failed', warning: explain(error) }
  }
}

/**
 * The account the token writes as: its user where GET /user answers (a personal access token),
 * else github-actions[bot], which the workflow's GITHUB_TOKEN, an installation token that may not
 * read /user, posts as. (Another GitHub App's installation token posts as that app's bot, which no
 * call open to the token names: its earlier comments are then not found, and a new one is created,
 * never someone else's edited.)
 */
async function tokenIdentity(api: CommentsApi): Promise<GitHubUser> {
  try {
    const { data } = await api.getAuthenticated()
    return data
  } catch {
    return GITHUB_ACTIONS_BOT
  }
}

/** GitHub logins are case-insensitive; the type tells the bot apart from any user. */
function sameAccount(a: GitHubUser | null | undefined, b: GitHubUser): boolean {
  if (!a) return false
  return a.login.toLowerCase() === b.login.toLowerCase() && (a.type ?? 'User') === (b.type ?? 'User')
}

/**
 * The newest comment by `me` whose body starts with the marker: where an edit was refused and a new
 * one posted, the next run edits that one instead of posting again.
 */
async function findSticky(
  api: CommentsApi,
  pr: PullRequestRef,
  me: GitHubUser,
): Promise<{ id: number; body: string } | undefined> {
  const perPage = 100
  let found: { id: number; body: string } | undefined
  for (let page = 1; ; page++) {
    const { data } = await api.listComments({
      owner: pr.owner,
      repo: pr.repo,
      issue_number: pr.number,
      per_page: perPage,
      page,
    })
    for (const c of data) {
      if (c.body?.startsWith(COMMENT_MARKER) && sameAccount(c.user, me)) found = { id: c.id, body: c.body }
    }
    if (data.length < perPage) return found
  }
}

const statusOf = (error: unknown) => (error as { status?: unknown })?.status

function explain(error: unknown): string {
  const status = statusOf(error)
  const message = error instanceof Error ? error.message : String((error as { message?: unknown })?.message ?? error)
  const first = message.split('\n')[0]?.trim() ?? ''
  if (status === 403 || /Resource not accessible by integration/i.test(message)) {
    return (
      `comment: the token may not write to this pull request (${first}). A pull request from a fork gets a ` +
      'read-only token; the findings are in the job summary and the annotations. For pull requests from this ' +
      "repository, give the job 'permissions: pull-requests: write'."
    )
  }
  return `comment: could not write the pull request comment (${status ? `HTTP ${status}: ` : ''}${first}); the findings are in the job summary.`
}
