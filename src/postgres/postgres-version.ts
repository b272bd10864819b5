// The PostgreSQL major a run asks for (the `postgres-version` input): migrations behave differently
// across majors (NULLS NOT DISTINCT, MERGE, enum ALTER in a transaction, pg_catalog), so the scratch
// server should be production's. The supported range is what CI replays on (the version matrix).
import { GateError } from '../errors.js'

/** Every major the gate is tested on: test/integration/version-matrix.test.ts runs each. */
export const SUPPORTED_MAJORS: readonly number[] = [13, 14, 15, 16, 17, 18]

/** The newest supported major: what a run gets when it asks for none. */
export const DEFAULT_MAJOR = 18

/** A major, or 'any': whatever server the provider finds (its newest binaries, the default image). */
export type PostgresVersion = number | 'any'

export interface VersionChoice {
  version: PostgresVersion
  /** Given by the user (the flag, the action input), not the default: a url server is held to it only then. */
  explicit: boolean
}

export const VERSION_VALUES: readonly string[] = [...SUPPORTED_MAJORS.map(String), 'any']

export function parsePostgresVersion(raw: string): PostgresVersion {
  const v = raw.trim()
  if (v === 'any') return 'any'
  if (!/^\d+$/.test(v) || !SUPPORTED_MAJORS.includes(Number(v))) {
    throw new GateError(
      `postgres-version: unknown value "${v}" (allowed: ${VERSION_VALUES.join(', ')})`,
      'postgres-version',
    )
  }
  return Number(v)
}

/** "15.18" -> 15; "9.6.24" -> 9. */
export function majorOfVersion(serverVersion: string): number {
  return Number.parseInt(serverVersion, 10)
}

/**
 * A server of another major than asked for is an error: a replay on it would answer for a
 * PostgreSQL production does not run. A server the user named (a url, a postgres-image, a pg-bin)
 * is held to it only when the major was asked for explicitly: by default it is used as it is, since
 * naming it was how a workflow chose its major before postgres-version existed.
 */
export function checkServerMajor(
  choice: VersionChoice,
  provider: string,
  serverVersion: string,
  namedByUser = provider === 'url',
): void {
  if (choice.version === 'any') return
  if (namedByUser && !choice.explicit) return
  const major = majorOfVersion(serverVersion)
  if (major === choice.version) return
  const input = provider === 'url' ? 'database-url' : provider === 'docker' ? 'postgres-image' : 'postgres'
  throw new GateError(
    `postgres-version: ${choice.version} asked for, but the ${provider} server is PostgreSQL ${serverVersion}` +
      ` (${input} gave it); use a PostgreSQL ${choice.version} server, or set postgres-version to ${major} or any`,
    'postgres-version',
  )
}
