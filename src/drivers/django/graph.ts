// The static migration graph of a Django project, built the way django/db/migrations/loader.py's
// build_graph builds it for a fresh database, without importing anything: every app's migration
// files, their dependencies (in-app and cross-app, `__first__`/`__latest__`, swappable ones),
// run_before, and squashed migrations (`replaces`) standing for the migrations they replace.
//
// Node ids are `app_label.migration_name`. A node's parents are its dependencies inside its app and
// its dependsOn those in other apps, so a head (a node no other node names as a parent) is what
// Django calls a leaf node: it counts children in the same app only. `scope` is the app, so the
// chain check counts heads per app, as Django does ("Conflicting migrations detected").
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type { RevisionGraph, RevisionNode } from '../driver.js'
import type { Finding } from '../../report.js'
import { parseMigrationSource, unreadableFile, type DependencyRef, type ParsedMigration } from './parse.js'
import type { DjangoProject } from './settings.js'

export interface DjangoGraph extends RevisionGraph {
  /** Squashed migration -> the migrations it replaces (ids). */
  squashes: Map<string, string[]>
  /** The migrations as read, before squashing (the git checks resolve other commits' files against them). */
  migrations: DjangoMigration[]
}

/** What Django loads from a migrations package: modules whose names start with neither _ nor ~. */
export const MIGRATION_FILE = /^[^_~.][^.]*\.py$/

export interface DjangoMigration {
  id: string
  app: string
  file: string
  parsed: ParsedMigration
}

export function readDjangoGraph(project: DjangoProject): DjangoGraph {
  const problems: Finding[] = []
  const read: DjangoMigration[] = []
  for (const app of project.apps) {
    if (!app.migrationsDir) continue
    let names: string[]
    try {
      names = readdirSync(app.migrationsDir).filter((n) => MIGRATION_FILE.test(n))
    } catch {
      continue
    }
    for (const name of names.sort()) {
      const abs = path.join(app.migrationsDir, name)
      const file = path.relative(project.projectDir, abs).split(path.sep).join('/')
      const id = `${app.label}.${name.slice(0, -3)}`
      let text: string
      try {
        text = readFileSync(abs, 'utf8')
      } catch (error) {
        // A directory named like a module is skipped by Django too (pkgutil lists it as no module).
        if ((error as NodeJS.ErrnoException).code === 'EISDIR') continue
        problems.push(unreadableFile(file, id, (error as NodeJS.ErrnoException).code ?? 'error'))
        continue
      }
      const result = parseMigrationSource(text, file, id)
      if ('problem' in result) problems.push(result.problem)
      else read.push({ id, app: app.label, file, parsed: result.migration })
    }
  }
  return buildGraph(project, read, problems)
}

/** Resolves dependencies, applies squashes, and turns the migrations into RevisionNodes. */
export function buildGraph(project: DjangoProject, read: DjangoMigration[], problems: Finding[] = []): DjangoGraph {
  const resolver = dependencyResolver(project, read)
  const parents = new Map<string, Set<string>>()
  for (const m of read) parents.set(m.id, new Set())
  for (const m of read) {
    for (const ref of m.parsed.dependencies) {
      const to = resolver(ref, m.app)
      if (to) parents.get(m.id)?.add(to)
    }
    // run_before: the named migration depends on this one.
    for (const ref of m.parsed.runBefore) {
      const child = resolver(ref, m.app)
      if (child) parents.get(child)?.add(m.id)
    }
  }
  const squashes = applySquashes(read, parents)
  const nodes: RevisionNode[] = []
  // One node per file: two apps with one label give two nodes with one id (duplicate-revision).
  for (const m of read) {
    const id = m.id
    const set = parents.get(id)
    if (!set) continue
    const all = [...set].sort()
    const node: RevisionNode = {
      id,
      parents: all.filter((p) => appOf(p) === m.app),
      dependsOn: all.filter((p) => appOf(p) !== m.app),
      branchLabels: [],
      file: m.file,
      line: m.parsed.line,
      scope: m.app,
    }
    const message = messageOf(id)
    if (message) node.message = message
    if (m.parsed.dependenciesLine !== undefined) node.parentsLine = m.parsed.dependenciesLine
    nodes.push(node)
  }
  return { nodes, problems, squashes, migrations: read }
}

/**
 * Django's check_key, statically: (app, name) -> the node id it names, or undefined for what Django
 * leaves out of the graph (an app outside the project, whose migrations ship with it; an app without
 * migrations; `__first__` of the migration's own app).
 */
export function dependencyResolver(
  project: DjangoProject,
  read: { id: string; app: string; parsed: ParsedMigration }[],
): (ref: DependencyRef, fromApp: string) => string | undefined {
  const migrated = new Set(project.apps.filter((a) => a.migrationsDir).map((a) => a.label))
  const own = new Set(project.apps.map((a) => a.label))
  // Roots and leaves per app over in-app dependencies, before squashing (as check_key runs before).
  const ofApp = new Map<string, { id: string; parents: Set<string> }[]>()
  for (const m of read) {
    const inApp = new Set(
      m.parsed.dependencies.flatMap((d) =>
        'app' in d && d.app === m.app && d.name !== '__first__' ? [`${d.app}.${d.name}`] : [],
      ),
    )
    const list = ofApp.get(m.app)
    if (list) list.push({ id: m.id, parents: inApp })
    else ofApp.set(m.app, [{ id: m.id, parents: inApp }])
  }
  const ends = (app: string, which: '__first__' | '__latest__'): string | undefined => {
    const list = ofApp.get(app) ?? []
    const named = new Set(list.flatMap((n) => [...n.parents]))
    const ids = list.filter((n) => (which === '__first__' ? n.parents.size === 0 : !named.has(n.id))).map((n) => n.id)
    return ids.sort()[0]
  }
  return (ref, fromApp) => {
    let app: string
    let name: string
    if ('setting' in ref) {
      const model = ref.setting.startsWith('=')
        ? ref.setting.slice(1)
        : ref.setting === 'AUTH_USER_MODEL'
          ? project.authUserModel
          : undefined
      if (!model) return undefined
      app = model.split('.')[0] as string
      name = '__first__'
    } else {
      app = ref.app
      name = ref.name
    }
    if (app === fromApp) return name === '__first__' ? undefined : `${app}.${name}`
    if (!own.has(app)) return undefined
    if (!migrated.has(app)) return undefined
    if (name === '__first__' || name === '__latest__') return ends(app, name)
    return `${app}.${name}`
  }
}

/**
 * Squashed migrations as build_graph treats them with nothing applied (a fresh database): each
 * replaced migration leaves the graph, whether its file is still there or not; what depended on it
 * depends on the squash instead, and its own dependencies outside the squash become the squash's.
 */
function applySquashes(read: DjangoMigration[], parents: Map<string, Set<string>>): Map<string, string[]> {
  const squashes = new Map<string, string[]>()
  for (const m of read) {
    if (m.parsed.replaces.length === 0 || !parents.has(m.id)) continue
    const replaced = new Set(m.parsed.replaces.map((r) => `${r.app}.${r.name}`))
    squashes.set(m.id, [...replaced])
    const own = parents.get(m.id) as Set<string>
    for (const r of replaced) {
      for (const p of parents.get(r) ?? []) if (!replaced.has(p) && p !== m.id) own.add(p)
      parents.delete(r)
      own.delete(r)
    }
    for (const [id, set] of parents) {
      if (id === m.id) continue
      for (const r of replaced) {
        if (!set.delete(r)) continue
        set.add(m.id)
      }
    }
  }
  return squashes
}

function appOf(id: string): string {
  return id.slice(0, id.indexOf('.'))
}

/** "orders.0002_add_total" -> "add total"; "0001_initial" -> "initial". */
function messageOf(id: string): string {
  return id
    .slice(id.indexOf('.') + 1)
    .replace(/^\d+_?/, '')
    .replace(/_/g, ' ')
    .trim()
}
