// Ephemeral Postgres behind one interface. A Server is a running PostgreSQL the gate may use;
// every database the gate creates on it is tracked and dropped by stop().
import type { Logger } from '../logger.js'
import type { ResourceTracker } from '../resource-tracker.js'
import type { PostgresVersion } from './postgres-version.js'

export type ProviderName = 'docker' | 'local' | 'embedded' | 'url'
export const PROVIDER_NAMES: readonly ProviderName[] = ['docker', 'local', 'embedded', 'url']
/**
 * The order `auto` tries for a major: local binaries of it (starting them beats a container pull),
 * else docker where an engine answers, else the embedded binaries (downloaded for it when needed).
 */
export const AUTO_ORDER: readonly ProviderName[] = ['local', 'docker', 'embedded']
/** With postgres-version any, as before there was a major to ask for: docker, else local, else embedded. */
export const AUTO_ORDER_ANY: readonly ProviderName[] = ['docker', 'local', 'embedded']

export interface Server {
  provider: ProviderName
  /** e.g. "15.18" */
  serverVersion: string
  /** Wall time from start() to the first answered query. */
  startMs: number
  /** A cluster the gate runs itself: where its files are, and whether that is a RAM disk (cluster-root.ts). */
  dataDir?: { path: string; inMemory: boolean }
  /** Creates an empty database (or a copy of `template`) owned by the gate and returns its URL. */
  createDatabase(options?: { name?: string; template?: string }): Promise<{ name: string; url: string }>
  /** Drops a database this server created; refuses any other. */
  dropDatabase(name: string): Promise<void>
  /** The connection URL of a database this server created. */
  urlFor(name: string): string
  /**
   * The same database as the server's own administrator (on a url server, the database-url user, where
   * urlFor gives the run's own role): for what the gate installs in its scratch databases itself.
   */
  adminUrlFor(name: string): string
  /** What the report should say about this server (a url server's isolation), one line each. */
  notes?: string[]
  /**
   * A url server: throws a GateError when a session of the run sits in a database the gate did not
   * create (a migration that opened its own connection elsewhere). Called after every step, which
   * `step` names ("upgrade 8f3a6b2c4d10").
   */
  checkIsolation?(step: string): Promise<void>
  /** Drops every database the gate created, stops what the gate started, removes its temp files. Idempotent. */
  stop(): Promise<void>
}

export interface PostgresProvider {
  name: ProviderName
  /** Null when the provider can serve here, else the reason it cannot (one line). */
  unavailableReason(): Promise<string | null>
  start(): Promise<Server>
}

export interface ProviderOptions {
  /** The run's resource tracker: what a server starts or creates is cleaned through it, on every path out. */
  resources: ResourceTracker
  /**
   * The major the server must be (the `postgres-version` input); 'any' or unset: whatever the
   * provider finds (the newest local binaries, the installed embedded package).
   */
  version?: PostgresVersion
  /** Directory holding initdb/postgres (the `pg-bin` input). */
  pgBin?: string
  /** Docker image (the `postgres-image` input). */
  image?: string
  /** Existing server (the `database-url` input), for the url provider. */
  databaseUrl?: string
  /**
   * Where the migrations create, alter or drop roles ("migrations/2_role.up.sql:1 (CREATE ROLE)"), for
   * the url provider: a run's own role may create roles only from PostgreSQL 16 on (run-role.ts).
   */
  roleStatement?: () => { file: string; line: number; text: string } | null
  /** The run's log, for what a provider notes on the way (a leftover cluster it could not remove). */
  logger?: Logger
}
