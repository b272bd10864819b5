// The git checks' view of a Django project (MigrationLayout in drivers/driver.ts): every app's
// migrations package, its models (models.py, models/), and a migration file as another commit has it
// read as a node, its dependencies resolved against the working tree's apps and migrations.
import path from 'node:path'
import { existsSync } from 'node:fs'
import type { MigrationLayout, RevisionNode } from '../driver.js'
import { dependencyResolver, MIGRATION_FILE, type DjangoGraph } from './graph.js'
import { makemigrationsCommand } from './models-wording.js'
import { parseMigrationSource } from './parse.js'
import type { DjangoProject } from './settings.js'

export const DJANGO_MODEL_GLOBS = ['**/models.py', '**/models/**/*.py']

/**
 * Each migrated app's directories (its package, and its migrations package where MIGRATION_MODULES
 * moved it elsewhere) -> its label, deepest first, so a nested app wins over the app around it.
 */
function appDirs(project: DjangoProject): Array<[string, string]> {
  const dirs: Array<[string, string]> = []
  for (const app of project.apps) {
    if (!app.migrationsDir) continue
    const own = path.join(project.projectDir, ...app.module.split('.'))
    dirs.push([existsSync(own) ? own : path.dirname(path.resolve(app.migrationsDir)), app.label])
    dirs.push([path.resolve(app.migrationsDir), app.label])
  }
  return dirs.sort((a, b) => b[0].length - a[0].length)
}

export function djangoLayout(project: DjangoProject, graph: DjangoGraph): MigrationLayout {
  const dirs = appDirs(project)
  const labelByDir = new Map(
    project.apps.flatMap((a) => (a.migrationsDir ? [[path.resolve(a.migrationsDir), a.label] as const] : [])),
  )
  const squashOf = new Map<string, string>()
  for (const [squash, replaced] of graph.squashes) for (const r of replaced) squashOf.set(r, squash)
  return {
    migrationDirs: [...labelByDir.keys()],
    isRevisionFile: (abs) => labelByDir.has(path.dirname(abs)) && MIGRATION_FILE.test(path.basename(abs)),
    modelFiles: [],
    modelGlobs: DJANGO_MODEL_GLOBS,
    // An app's other modules are its own code, not something every migration runs with.
    supportDirs: [],
    newMigrationCommand: makemigrationsCommand(),
    // makemigrations writes an app's model changes into that app's migrations only.
    scopes: {
      noun: 'app',
      of: (abs) => dirs.find(([dir]) => abs.startsWith(`${dir}${path.sep}`))?.[1],
      newMigrationCommand: makemigrationsCommand,
    },
    readRevision(text, file) {
      const parsed = parseMigrationSource(text, file)
      if ('problem' in parsed) return parsed.problem
      const app = labelByDir.get(path.dirname(path.resolve(project.projectDir, file))) ?? ''
      const id = `${app}.${path.posix.basename(file, '.py')}`
      const migration = { id, app, file, parsed: parsed.migration }
      const resolve = dependencyResolver(project, [...graph.migrations.filter((m) => m.id !== id), migration])
      const refs = parsed.migration.dependencies
        .map((d) => resolve(d, app))
        .filter((r): r is string => r !== undefined)
        .map((r) => squashOf.get(r) ?? r)
      const unique = [...new Set(refs)].sort()
      const node: RevisionNode = {
        id,
        parents: unique.filter((r) => r.startsWith(`${app}.`)),
        dependsOn: unique.filter((r) => !r.startsWith(`${app}.`)),
        branchLabels: [],
        file,
        line: parsed.migration.line,
        scope: app,
      }
      if (parsed.migration.dependenciesLine !== undefined) node.parentsLine = parsed.migration.dependenciesLine
      return node
    },
  }
}
