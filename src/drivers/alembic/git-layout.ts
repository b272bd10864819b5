// The git checks' view of an Alembic (or Flask-Migrate) project: see MigrationLayout in drivers/driver.ts.
import path from 'node:path'
import type { MigrationLayout } from '../driver.js'
import type { AlembicConfig } from './config.js'
import { REVISION_FILE, revisionNode } from './graph.js'
import { parseRevisionSource } from './parse.js'
import { autogenerateCommand, MODEL_GLOBS } from './models-wording.js'
import { targetMetadataFiles } from './target-metadata.js'

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
    modelGlobs: MODEL_GLOBS,
    // The script directory above each versions directory: env.py, script.py.mako, helper modules.
    supportDirs: [...new Set(dirs.map((dir) => path.dirname(dir)))],
    newMigrationCommand: autogenerateCommand(config),
    readRevision(text, file) {
      const parsed = parseRevisionSource(text, file)
      if ('problem' in parsed) return parsed.problem
      return revisionNode(parsed.revision, file)
    },
  }
}
