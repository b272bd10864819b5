// What the GitHub run says about the pull request: the base commit, its labels and description.
// Read from the environment and the event payload file (GITHUB_EVENT_PATH) directly, not through
// @actions/github, and through a small interface so tests supply both. Only the action passes one:
// the CLI judges against --base-ref alone, so a CLI (or a test) run inside a workflow step does not
// pick up that workflow's pull request by accident.
import { readFileSync } from 'node:fs'

/** Where the GitHub context comes from. */
export interface GitHubEnvironment {
  env: Readonly<Record<string, string | undefined>>
  readFile(path: string): string
}

/** The real process environment and file system. */
export function processGitHubEnvironment(): GitHubEnvironment {
  return { env: process.env, readFile: (p) => readFileSync(p, 'utf8') }
}

export interface GitHubContext {
  /** GITHUB_EVENT_NAME: pull_request, pull_request_target, merge_group, push, ... */
  event?: string
  /** pull_request.base.sha, or merge_group.base_sha. */
  baseSha?: string
  /** The base branch name: pull_request.base.ref, merge_group.base_ref without refs/heads/, or GITHUB_BASE_REF. */
  baseBranch?: string
  /** Labels on the pull request (none in a merge_group payload). */
  labels: string[]
  /** The pull request description. */
  body?: string
  /** The payload is a merge queue's (merge_group): no labels, no description, the queue's base. */
  mergeGroup?: boolean
  /** Why the payload could not be read, when it could not. */
  problem?: string
}

interface Payload {
  pull_request?: { base?: { sha?: unknown; ref?: unknown }; labels?: unknown; body?: unknown }
  merge_group?: { base_sha?: unknown; base_ref?: unknown }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)

export function readGitHubContext(source: GitHubEnvironment): GitHubContext {
  const { env } = source
  const context: GitHubContext = { labels: [] }
  const event = str(env.GITHUB_EVENT_NAME)
  if (event) context.event = event
  const baseRef = str(env.GITHUB_BASE_REF)
  if (baseRef) context.baseBranch = baseRef
  const eventPath = str(env.GITHUB_EVENT_PATH)
  if (!eventPath) return context

  let payload: Payload
  try {
    payload = JSON.parse(source.readFile(eventPath)) as Payload
  } catch (error) {
    context.problem = `cannot read the event payload ${eventPath}: ${(error as Error).message.split('\n')[0]}`
    return context
  }
  const pr = payload.pull_request
  const group = payload.merge_group
  if (pr) {
    const sha = str(pr.base?.sha)
    const ref = str(pr.base?.ref)
    if (sha) context.baseSha = sha
    if (ref) context.baseBranch = ref
    if (Array.isArray(pr.labels)) {
      context.labels = pr.labels
        .map((l: unknown) => str((l as { name?: unknown } | null)?.name))
        .filter((n): n is string => n !== undefined)
    }
    const body = str(pr.body)
    if (body) context.body = body
  } else if (group) {
    const sha = str(group.base_sha)
    const ref = str(group.base_ref)
    context.mergeGroup = true
    if (sha) context.baseSha = sha
    if (ref) context.baseBranch = ref.replace(/^refs\/heads\//, '')
  }
  return context
}
