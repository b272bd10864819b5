// Which commit a change is judged against. The base-ref input wins; then the pull request's base
// commit from the event payload (merge_group's base for a merge queue run); then GITHUB_BASE_REF.
// No base (a push to main, the CLI without --base-ref): the git checks do not run.
import { GateError } from '../errors.js'
import type { GitHubContext } from '../github/context.js'

export type BaseSource = 'base-ref' | 'pull_request' | 'merge_group' | 'GITHUB_BASE_REF'

export interface BaseChoice {
  /** What to resolve: a ref name, a remote-tracking ref or a commit sha. */
  ref: string
  /** What to fetch from origin when `ref` is not in the clone: a branch name or a sha. */
  fetch: string
  source: BaseSource
  /** How reports name the base: the branch when known ("main"), else the ref as given. */
  label: string
}

const SHA = /^[0-9a-f]{40}$/i

export function chooseBase(
  baseRefInput: string | undefined,
  github: GitHubContext | undefined,
): BaseChoice | undefined {
  if (baseRefInput) {
    // Passed to git as an argument: a leading dash would be read as an option.
    if (baseRefInput.startsWith('-') || /\s/.test(baseRefInput)) {
      throw new GateError(`base-ref: "${baseRefInput}" is not a branch, ref or commit name`, 'base-ref')
    }
    const branch = baseRefInput.replace(/^origin\//, '').replace(/^refs\/heads\//, '')
    return {
      ref: baseRefInput,
      fetch: SHA.test(baseRefInput) ? baseRefInput : branch,
      source: 'base-ref',
      label: baseRefInput,
    }
  }
  if (!github) return undefined
  const branch = github.baseBranch
  if (github.baseSha) {
    const source = github.mergeGroup ? 'merge_group' : 'pull_request'
    return { ref: github.baseSha, fetch: github.baseSha, source, label: branch ?? github.baseSha.slice(0, 12) }
  }
  if (branch) return { ref: `origin/${branch}`, fetch: branch, source: 'GITHUB_BASE_REF', label: branch }
  return undefined
}
