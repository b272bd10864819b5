// `local`: PostgreSQL server binaries already installed (PATH, the pg-bin input, distro dirs).
import { findBinaries } from './binaries.js'
import { startCluster } from './cluster.js'
import type { PostgresProvider, ProviderOptions } from './provider.js'
import { GateError } from '../errors.js'

export function localProvider(options: ProviderOptions): PostgresProvider {
  return {
    name: 'local',
    async unavailableReason() {
      return findBinaries({ pgBin: options.pgBin })
        ? null
        : 'no PostgreSQL server binaries (initdb, postgres) on PATH or under /usr/lib/postgresql'
    },
    async start() {
      const bins = findBinaries({ pgBin: options.pgBin })
      if (!bins) {
        throw new GateError(
          'postgres: local: no PostgreSQL server binaries found (install postgresql, or set pg-bin to the dir holding initdb)',
          'postgres',
        )
      }
      return startCluster(bins, 'local', options.resources, options.logger)
    },
  }
}
