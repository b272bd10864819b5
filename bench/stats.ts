// Medians, repetitions and the units the bench scripts print figures in.
import { loadavg } from 'node:os'

export const median = (xs: number[]): number => {
  if (xs.length === 0) return NaN
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}
export const sec = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : 'n/a')
export const msf = (ms: number) => (Number.isFinite(ms) ? `${Math.round(ms)} ms` : 'n/a')
export const mib = (kib: number) => (Number.isFinite(kib) ? `${Math.round(kib / 1024)} MiB` : 'n/a')
export const ratio = (a: number, b: number) =>
  Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : 'n/a'
export const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')
export const log = (line = '') => process.stdout.write(`${line}\n`)

/** Figures of one kind of run, one entry per repetition. */
export class Samples {
  private readonly data = new Map<string, number[]>()
  push(key: string, value: number | undefined): void {
    if (value === undefined || !Number.isFinite(value)) return
    const xs = this.data.get(key) ?? []
    xs.push(value)
    this.data.set(key, xs)
  }
  med(key: string): number {
    return median(this.data.get(key) ?? [])
  }
  all(key: string): number[] {
    return this.data.get(key) ?? []
  }
  keys(prefix: string): string[] {
    return [...this.data.keys()].filter((k) => k.startsWith(prefix))
  }
}
