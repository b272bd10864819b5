// A promise raced against a deadline. The timer is cleared whichever wins: a timer left pending
// keeps Node alive, and a run would idle until it fires after printing its verdict.

export const TIMED_OUT = Symbol('timed out')

/** What `work` resolves to, or TIMED_OUT when `ms` pass first. */
export async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), ms)))
  try {
    return await Promise.race([work, expired])
  } finally {
    clearTimeout(timer)
  }
}
