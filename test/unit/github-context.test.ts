// The run's context for the PR comment and the links (src/github/context.ts runContext), derived from
// the one reading of the GitHub environment and event payload that the git phase uses too.
import { describe, expect, it } from 'vitest'
import { readGitHubContext, runContext, type GitHubEnvironment } from '../../src/github/context.js'

const SHA = '0123456789abcdef0123456789abcdef01234567'

function environment(vars: Record<string, string>, payload?: string): GitHubEnvironment {
  let reads = 0
  return {
    env: { ...vars, ...(payload !== undefined ? { GITHUB_EVENT_PATH: '/event.json' } : {}) },
    readFile: (p) => {
      if (p !== '/event.json' || ++reads > 1) throw new Error(`unexpected read of ${p}`)
      return payload ?? ''
    },
  }
}

const run = {
  GITHUB_EVENT_NAME: 'pull_request',
  GITHUB_REPOSITORY: 'acme/app',
  GITHUB_SHA: SHA,
  GITHUB_RUN_ID: '42',
  GITHUB_SERVER_URL: 'https://ghe.example.com/',
  GITHUB_WORKSPACE: '/repo',
}

describe('runContext', () => {
  it('a pull_request run: the pull request, the blob and run links, the workspace', () => {
    const payload = JSON.stringify({ pull_request: { number: 7, base: { sha: 'b'.repeat(40), ref: 'main' } } })
    const github = readGitHubContext(environment(run, payload))
    expect(github).toMatchObject({ pullRequestNumber: 7, baseBranch: 'main' })
    expect(runContext(github, '/elsewhere')).toEqual({
      workspace: '/repo',
      sha: SHA,
      blobUrl: `https://ghe.example.com/acme/app/blob/${SHA}/`,
      runUrl: 'https://ghe.example.com/acme/app/actions/runs/42',
      pullRequest: { owner: 'acme', repo: 'app', number: 7 },
    })
  })

  it('outside a workflow: the working directory and no links', () => {
    expect(runContext(readGitHubContext(environment({})), '/cwd')).toEqual({ workspace: '/cwd' })
  })

  it('a push, a malformed number or an unreadable payload: no pull request', () => {
    const push = readGitHubContext(environment({ ...run, GITHUB_EVENT_NAME: 'push' }, JSON.stringify({ after: SHA })))
    expect(runContext(push, '/cwd').pullRequest).toBeUndefined()
    for (const number of [0, -3, 1.5, '7']) {
      const github = readGitHubContext(environment(run, JSON.stringify({ pull_request: { number } })))
      expect(runContext(github, '/cwd').pullRequest).toBeUndefined()
    }
    const broken = readGitHubContext(environment(run, '{not json'))
    expect(broken.problem).toMatch(/^cannot read the event payload \/event\.json: /)
    expect(runContext(broken, '/cwd').pullRequest).toBeUndefined()
  })

  it('a repository, sha or run id that is not one gives no link rather than a wrong one', () => {
    const payload = JSON.stringify({ pull_request: { number: 7 } })
    const badRepo = runContext(readGitHubContext(environment({ ...run, GITHUB_REPOSITORY: 'acme' }, payload)), '/c')
    expect(badRepo).toEqual({ workspace: '/repo', sha: SHA })
    const badSha = runContext(readGitHubContext(environment({ ...run, GITHUB_SHA: 'HEAD', GITHUB_RUN_ID: 'x' })), '/c')
    expect(badSha.blobUrl).toBeUndefined()
    expect(badSha.runUrl).toBeUndefined()
  })
})
