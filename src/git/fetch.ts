// Makes the base and the merge base present in the clone. actions/checkout clones one commit deep
// by default (fetch-depth: 1): the base commit is then missing and HEAD has no visible parents. So:
// fetch the base one commit deep, then deepen (both sides, a bounded number of rounds) until a merge
// base exists, or fail with one line telling the user to fetch the whole history.
import type { Logger } from '../logger.js'
import type { BaseChoice } from './base.js'
import { baseError, type GitRepo } from './repo.js'

export interface BaseCommits {
  /** The base commit (the base branch's tip, or the commit given). */
  baseSha: string
  /** The best common ancestor of the base and HEAD: where the PR forked. */
  mergeBase: string
  headSha: string
  /** Commits deepened by, over all rounds, to find the merge base (0: the history was there). */
  deepened: number
}

/** Deepening rounds: most PRs fork within 50 commits; the bound keeps a huge history from being pulled in bit by bit. */
export const DEEPEN_STEPS: readonly number[] = [50, 250, 1000]

export async function locateBase(
  repo: GitRepo,
  base: BaseChoice,
  logger: Logger,
  steps: readonly number[] = DEEPEN_STEPS,
): Promise<BaseCommits> {
  const headSha = await repo.commit('HEAD')
  if (!headSha) throw baseError(`the repository at ${repo.root} has no commit checked out (HEAD)`)
  const shallow = await repo.isShallow()
  const baseSha = (await findBase(repo, base)) ?? (await fetchBase(repo, base, shallow, logger))

  let mergeBase = await repo.mergeBase(baseSha, headSha)
  let deepened = 0
  for (const n of shallow ? steps : []) {
    if (mergeBase) break
    // Wanting the shallow boundary commits too deepens every side, whatever HEAD is (a GitHub merge
    // commit, a branch, local commits never pushed).
    const wants = [baseSha, ...(await repo.shallowCommits()).slice(0, 50)]
    logger.info(`git: no merge base of HEAD and ${base.label} in the shallow clone; fetching ${n} more commits`)
    try {
      await repo.fetch([`--deepen=${n}`, 'origin', ...new Set(wants)])
    } catch (error) {
      throw baseError(
        `cannot deepen the shallow clone to find where HEAD forked from ${base.label} (git fetch: ${(error as Error).message}); fetch the whole history (actions/checkout: fetch-depth: 0)`,
      )
    }
    deepened += n
    mergeBase = await repo.mergeBase(baseSha, headSha)
  }
  if (!mergeBase) {
    throw baseError(
      shallow
        ? `no common ancestor of HEAD and ${base.label} within ${deepened} commits fetched into the shallow clone; fetch the whole history (actions/checkout: fetch-depth: 0)`
        : `HEAD and ${base.label} (${baseSha.slice(0, 12)}) share no history; set base-ref to the branch this one was made from`,
    )
  }
  return { baseSha, mergeBase, headSha, deepened }
}

/** The base as the clone has it: the ref as given, or its origin/ remote-tracking branch. */
async function findBase(repo: GitRepo, base: BaseChoice): Promise<string | undefined> {
  const direct = await repo.commit(base.ref)
  if (direct) return direct
  return base.source === 'base-ref' && !base.ref.startsWith('origin/') ? repo.commit(`origin/${base.ref}`) : undefined
}

async function fetchBase(repo: GitRepo, base: BaseChoice, shallow: boolean, logger: Logger): Promise<string> {
  const isSha = /^[0-9a-f]{40}$/i.test(base.fetch)
  // A branch lands where a full clone would keep it, so a later run (or the user) finds it there.
  const target = isSha ? undefined : `refs/remotes/origin/${base.fetch}`
  const spec = target ? `+refs/heads/${base.fetch}:${target}` : base.fetch
  // One commit deep in a shallow clone (deepening follows if needed); in a full clone the whole
  // history, since a --depth fetch would make a full clone shallow.
  logger.info(`git: fetching ${base.label} from origin`)
  try {
    await repo.fetch([...(shallow ? ['--depth=1'] : []), 'origin', spec])
  } catch (error) {
    throw baseError(
      `${base.ref} is not in the clone and \`git fetch origin ${base.fetch}\` failed (${(error as Error).message}); check base-ref, or fetch the history first (actions/checkout: fetch-depth: 0)`,
    )
  }
  const sha = await repo.commit(target ?? base.fetch)
  if (!sha) throw baseError(`fetched ${base.fetch} from origin, yet ${base.ref} names no commit`)
  return sha
}
