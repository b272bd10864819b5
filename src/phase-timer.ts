// Wall time per phase of a run (static, git, postgres, replay, drift), as the report's timings give it.
import type { Phase } from './report.js'

/** Runs `fn` and adds its wall time to `phase`'s. */
export type Timed = <T>(phase: Phase, fn: () => Promise<T>) => Promise<T>

export function phaseTimer(): { phases: Partial<Record<Phase, number>>; timed: Timed } {
  const phases: Partial<Record<Phase, number>> = {}
  const timed: Timed = async (phase, fn) => {
    const t0 = performance.now()
    try {
      return await fn()
    } finally {
      phases[phase] = Math.round((phases[phase] ?? 0) + performance.now() - t0)
    }
  }
  return { phases, timed }
}
