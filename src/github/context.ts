// What the GitHub run says, read once: the event (the pull request's base, labels, description and
// number, or a merge queue's base) and the run (repository, commit, workspace, run id). The git
// phase judges against the event's base; the PR comment, annotations and summary link to the run.
// Read from the environment and the event payload file (GITHUB_EVENT_PATH) directly, not through
// @actions/github (whose context reads them once, at import), and through a small interface so
// tests supply both. Only the action passes one: the CLI judges against --base-ref alone, so a CLI
// (or a test) run inside a workflow step does not pick up that workflow's pull request by accident.
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
  /** pull_request.number, when the payload has one (pull_request, pull_request_target). */
  pullRequestNumber?: number
  /** The payload is a merge queue's (merge_group): no labels, no description, the queue's base. */
  mergeGroup?: boolean
  /** GITHUB_REPOSITORY, as given: OWNER/REPO. */
  repository?: string
  /** GITHUB_SHA: the commit checked out (for a pull_request event, the merge commit GitHub made). */
  sha?: string
  /** GITHUB_RUN_ID, as given. */
  runId?: string
  /** GITHUB_SERVER_URL, as given (github.com when absent). */
  serverUrl?: string
  /** GITHUB_WORKSPACE: the repository root. */
  workspace?: string
  /** Why the payload could not be read, when it could not. */
  problem?: string
}

interface Payload {
  pull_request?: { base?: { sha?: unknown; ref?: unknown }; labels?: unknown; body?: unknown; number?: unknown }
  merge_group?: { base_sha?: unknown; base_ref?: unknown }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)

export function readGitHubContext(source: GitHubEnvironment): GitHubContext {
  const { env } = source
  const context: GitHubContext = { labels: [] }
  const fromEnv = {
    event: 'GITHUB_EVENT_NAME',
    baseBranch: 'GITHUB_BASE_REF',
    repository: 'GITHUB_REPOSITORY',
    sha: 'GITHUB_SHA',
    runId: 'GITHUB_RUN_ID',
    serverUrl: 'GITHUB_SERVER_URL',
    workspace: 'GITHUB_WORKSPACE',
  } as const
  for (const [field, name] of Object.entries(fromEnv) as [keyof typeof fromEnv, string][]) {
    const value = str(env[name])
    if (value) context[field] = value
  }
  const eventPath = str(env.GITHUB_EVENT_PATH)
  if (!eventPath) return context

  let payload: Payload
  try {
    const parsed: unknown = JSON.parse(source.readFile(eventPath))
    // `null` or a number parses too, and has no fields to read.
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object')
    payload = parsed as Payload
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
    const n = pr.number
    if (typeof n === 'number' && Number.isInteger(n) && n > 0) context.pullRequestNumber = n
  } else if (group) {
    const sha = str(group.base_sha)
    const ref = str(group.base_ref)
    context.mergeGroup = true
    if (sha) context.baseSha = sha
    if (ref) context.baseBranch = ref.replace(/^refs\/heads\//, '')
  }
  return context
}

/** What the action's PR comment, annotations and job summary need to know about the run. */
export interface RunContext {
  /** The repository root: findings' paths are shown and annotated relative to it. */
  workspace: string
  /** The pull request the run is for, when the event is one (pull_request, pull_request_target). */
  pullRequest?: { owner: string; repo: string; number: number }
  /** `https://github.com/OWNER/REPO/blob/SHA/`, for links to file lines. */
  blobUrl?: string
  /** This workflow run's page. */
  runUrl?: string
  /** The commit checked out (for a pull_request event, the merge commit GitHub made). */
  sha?: string
}

/** The run's links and pull request; a malformed repository, sha or run id gives no link rather than a wrong one. */
export function runContext(github: GitHubContext, cwd: string): RunContext {
  const ctx: RunContext = { workspace: github.workspace || cwd }
  const server = (github.serverUrl || 'https://github.com').replace(/\/+$/, '')
  const { repository } = github
  if (github.sha) ctx.sha = github.sha
  if (repository && /^[\w.-]+\/[\w.-]+$/.test(repository)) {
    if (ctx.sha && /^[0-9a-f]{7,64}$/.test(ctx.sha)) ctx.blobUrl = `${server}/${repository}/blob/${ctx.sha}/`
    if (github.runId && /^\d+$/.test(github.runId)) {
      ctx.runUrl = `${server}/${repository}/actions/runs/${github.runId}`
    }
    if (github.pullRequestNumber !== undefined) {
      const [owner, repo] = repository.split('/') as [string, string]
      ctx.pullRequest = { owner, repo, number: github.pullRequestNumber }
    }
  }
  return ctx
}
