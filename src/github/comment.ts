// The one sticky PR comment: found by the hidden marker its body starts with, updated in place.
// Created when the gate fails; turned into a short "passing now" when it passes again; never created
// for a passing run. Never throws: a comment that cannot be written (a fork's read-only token) is a
// warning for the caller, never a failed gate, since the verdict is the gate's and not the comment's.
import { COMMENT_MARKER } from '../render/comment.js'

/** The three calls used, as octokit's `rest.issues` has them; main.ts passes the real client, a test a fake. */
export interface IssueCommentsApi {
  listComments(params: {
    owner: string
    repo: string
    issue_number: number
    per_page: number
    page: number
  }): Promise<{ data: Array<{ id: number; body?: string | null }> }>
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

export async function syncStickyComment(
  api: IssueCommentsApi,
  pr: PullRequestRef,
  bodies: CommentBodies,
): Promise<CommentOutcome> {
  const where = { owner: pr.owner, repo: pr.repo }
  try {
    const existing = await findSticky(api, pr)
    if (bodies.result === 'pass' && !existing) return { action: 'none' }
    const body = bodies.result === 'fail' ? bodies.failing() : bodies.passing()
    if (!existing) {
      const { data } = await api.createComment({ ...where, issue_number: pr.number, body })
      return { action: 'created', id: data.id, ...(data.html_url ? { url: data.html_url } : {}) }
    }
    if (existing.body === body) return { action: 'unchanged', id: existing.id }
    const { data } = await api.updateComment({ ...where, comment_id: existing.id, body })
    return { action: 'updated', id: data.id, ...(data.html_url ? { url: data.html_url } : {}) }
  } catch (error) {
    return { action: 'failed', warning: explain(error) }
  }
}

/** The first comment whose body starts with the marker (the oldest, if someone copied one). */
async function findSticky(
  api: IssueCommentsApi,
  pr: PullRequestRef,
): Promise<{ id: number; body: string } | undefined> {
  const perPage = 100
  for (let page = 1; ; page++) {
    const { data } = await api.listComments({
      owner: pr.owner,
      repo: pr.repo,
      issue_number: pr.number,
      per_page: perPage,
      page,
    })
    const found = data.find((c) => c.body?.startsWith(COMMENT_MARKER))
    if (found) return { id: found.id, body: found.body ?? '' }
    if (data.length < perPage) return undefined
  }
}

function explain(error: unknown): string {
  const status = (error as { status?: unknown })?.status
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
