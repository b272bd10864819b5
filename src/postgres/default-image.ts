// The docker provider's default image, in a module of its own: the inputs' table names it, and the
// CLI reads that table for --help without loading the provider (and the PostgreSQL client with it).
import { DEFAULT_MAJOR, type PostgresVersion } from './postgres-version.js'

/** The official image of the major asked for; `any` asks for none, so the newest supported. */
export function defaultPostgresImage(version: PostgresVersion): string {
  return `postgres:${version === 'any' ? DEFAULT_MAJOR : version}-alpine`
}

export const DEFAULT_POSTGRES_IMAGE = defaultPostgresImage(DEFAULT_MAJOR)
