// Where a pid means something. Containers that share one temp dir each number their processes from
// 1, so a marker's pid tells whether its gate runs only when the marker was written in this same
// PID namespace, on this host, since this boot. Linux names all three in /proc; elsewhere (macOS, no
// namespaces) the host alone does.
import { readFileSync, readlinkSync } from 'node:fs'
import { hostname } from 'node:os'

export interface PidSpace {
  host: string
  /** /proc/self/ns/pid's link ("pid:[4026531836]"); null where there is none. */
  pidNamespace: string | null
  /** /proc/sys/kernel/random/boot_id; null where there is none. */
  bootId: string | null
}

export function currentPidSpace(): PidSpace {
  return { host: hostname(), pidNamespace: attempt(() => readlinkSync('/proc/self/ns/pid')), bootId: bootId() }
}

function bootId(): string | null {
  return attempt(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim())
}

function attempt(read: () => string): string | null {
  try {
    return read() || null
  } catch {
    return null
  }
}

/** Whether a marker says which pid space it was written in (older gates wrote a pid alone). */
export function namesPidSpace(recorded: Record<string, unknown>): boolean {
  return typeof recorded.host === 'string' && 'pidNamespace' in recorded && 'bootId' in recorded
}

/**
 * True only when `recorded` (from a marker) says it is this very pid space. A marker that does not
 * say (written by an older gate, or damaged) is not: its pid alone is then no proof either way.
 */
export function isCurrentPidSpace(recorded: Record<string, unknown>, here = currentPidSpace()): boolean {
  if (!namesPidSpace(recorded)) return false
  return recorded.host === here.host && recorded.pidNamespace === here.pidNamespace && recorded.bootId === here.bootId
}
