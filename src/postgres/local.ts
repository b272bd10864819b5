// `local`: PostgreSQL server binaries already installed (PATH, the pg-bin input, distro dirs), of the
// major postgres-version asks for (any: the newest installed).
import { findBinaries, installedBinaries, type PgBinaries } from './binaries.js'
import { startCluster } from './cluster.js'
import type { PostgresProvider, ProviderOptions } from './provider.js'
import { GateError } from '../errors.js'

const fixHint = (major: number) =>
  `install PostgreSQL ${major}, set postgres-version to the major installed, or set postgres-version: any`

/** The binaries to start, or the one-line reason there are none (of the major asked for). */
function localBinaries(options: ProviderOptions): PgBinaries | { reason: string } {
  const major = typeof options.version === 'number' ? options.version : undefined
  const bins = findBinaries({ pgBin: options.pgBin, major })
  if (bins && (major === undefined || bins.major === major)) return bins
  if (bins && major !== undefined) {
    return {
      reason: `pg-bin ${options.pgBin} holds PostgreSQL ${bins.major}, but postgres-version asks for ${major}; ${fixHint(major)}`,
    }
  }
  const found = [...new Set(installedBinaries().map((b) => b.major))]
  if (major !== undefined && found.length > 0) {
    return {
      reason: `PostgreSQL ${major} asked for, but the installed server binaries are ${found.join(', ')}; ${fixHint(major)}`,
    }
  }
  return { reason: 'no PostgreSQL server binaries found (install postgresql, or set pg-bin to the dir holding initdb)' }
}

export function localProvider(options: ProviderOptions): PostgresProvider {
  return {
    name: 'local',
    async unavailableReason() {
      const bins = localBinaries(options)
      return 'reason' in bins ? bins.reason : null
    },
    async start() {
      const bins = localBinaries(options)
      if ('reason' in bins) throw new GateError(`postgres: local: ${bins.reason}`, 'postgres')
      return startCluster(bins, 'local', options.resources, options.logger)
    },
  }
}
