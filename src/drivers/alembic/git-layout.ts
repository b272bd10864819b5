// The git checks' view of an Alembic (or Flask-Migrate) project: see MigrationLayout in drivers/driver.ts.
import path from 'node:path'
import type { MigrationLayout } from '../driver.js'
import type { AlembicConfig } from './config.js'
import { REVISION_FILE, revisionNode } from './graph.js'
import { parseRevisionSource } from './parse.js'
import { targetMetadataFiles } from './target-metadata.js'
import { alembicCommand } from './wording.js'

export function alembicLayout(config: AlembicConfig): MigrationLayout {
  const dirs = config.versionDirs
  return {
    migrationDirs: dirs,
    isRevisionFile(abs) {
      if (!REVISION_FILE.test(path.basename(abs))) return false
      return dirs.some((dir) => {
        const rel = path.relative(dir, abs)
        if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return false
        const parts = rel.split(path.sep)
        // Alembic reads subdirectories only with recursive_version_locations, and never __pycache__.
        return config.recursiveVersionLocations ? !parts.includes('__pycache__') : parts.length === 1
      })
    },
    modelFiles: targetMetadataFiles(config),
    newMigrationCommand: newMigrationCommand(config),
    readRevision(text, file) {
      const parsed = parseRevisionSource(text, file)
      if ('problem' in parsed) return parsed.problem
      return revisionNode(parsed.revision, file)
    },
  }
}

/** `alembic revision --autogenerate`, or `flask db migrate`, with the options this project needs. */
function newMigrationCommand(config: AlembicConfig): string {
  const message = '-m "describe the change"'
  return config.flaskMigrate
    ? alembicCommand(config, 'migrate', message)
    : alembicCommand(config, 'revision', `--autogenerate ${message}`)
}
