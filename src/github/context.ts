// What the action knows about the run from the runner's environment and the event payload: the pull
// request to comment on, the repository root, links to the run and to files. Read from the env and
// GITHUB_EVENT_PATH directly (not @actions/github's context, which reads them once at import) so a
// test can hand in its own.
import { readFileSync } from 'node:fs'

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

type Env = Record<string, string | undefined>

export function runContext(env: Env, cwd: string): RunContext {
  const ctx: RunContext = { workspace: env.GITHUB_WORKSPACE || cwd }
  const server = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '')
  const repository = env.GITHUB_REPOSITORY
  if (env.GITHUB_SHA) ctx.sha = env.GITHUB_SHA
  if (repository && /^[\w.-]+\/[\w.-]+$/.test(repository)) {
    if (ctx.sha && /^[0-9a-f]{7,64}$/.test(ctx.sha)) ctx.blobUrl = `${server}/${repository}/blob/${ctx.sha}/`
    if (env.GITHUB_RUN_ID && /^\d+$/.test(env.GITHUB_RUN_ID)) {
      ctx.runUrl = `${server}/${repository}/actions/runs/${env.GITHUB_RUN_ID}`
    }
    const number = pullRequestNumber(env.GITHUB_EVENT_PATH)
    if (number !== undefined) {
      const [owner, repo] = repository.split('/') as [string, string]
      ctx.pullRequest = { owner, repo, number }
    }
  }
  return ctx
}

/** The PR number from the event payload (pull_request.number), if the file says there is one. */
function pullRequestNumber(eventPath: string | undefined): number | undefined {
  if (!eventPath) return undefined
  try {
    const payload = JSON.parse(readFileSync(eventPath, 'utf8')) as { pull_request?: { number?: unknown } }
    const n = payload.pull_request?.number
    return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : undefined
  } catch {
    return undefined
  }
}
