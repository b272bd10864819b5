// mode live for Django: where the live database stands, from Django's own record of what it applied
// (the django_migrations table, one row per applied migration: app and name; its name is fixed in
// Django, its schema the search_path's), and the manage.py commands the live findings' fixes name.
// Where it stands is said as the applied leaf migrations of each app ('heads': each with everything
// it builds on applied), as `showmigrations` would end each app's list: a real project has hundreds
// of rows, and the report, the summary and the stamp names say the few that matter.
import type { LiveReader, LiveState, LiveWording } from '../driver.js'
import { readVersionTable } from '../live-table.js'
import type { DjangoGraph } from './graph.js'

/** Django's record of applied migrations: always this table (MigrationRecorder). */
export const DJANGO_MIGRATIONS = 'django_migrations'

export async function readDjangoLiveState(
  graph: DjangoGraph,
  reader: LiveReader,
): Promise<LiveState & { outside: string[] }> {
  const read = await readVersionTable(reader, { table: DJANGO_MIGRATIONS }, ['app', 'name'], 'id')
  const rows = (read?.rows ?? []).flatMap((r) => (r.app && r.name ? [`${r.app}.${r.name}`] : []))
  const { revisions, notes } = appliedNodes(graph, rows)
  const apps = new Set(graph.migrations.map((m) => m.app))
  return {
    outside: rows.filter((row) => !apps.has(row.slice(0, row.indexOf('.')))),
    table: read?.name ?? DJANGO_MIGRATIONS,
    exists: read !== null,
    revisions: appliedLeaves(graph, revisions, notes),
    applied: 'heads',
    notes,
  }
}

/**
 * The applied migrations no other applied migration of the same app builds on (and the rows naming
 * no migration, kept for unknown-revision), in the rows' order. Everything a leaf builds on must be
 * applied: where Django's record says otherwise (a gap), `migrate` refuses with
 * InconsistentMigrationHistory, and a note says so.
 */
export function appliedLeaves(graph: DjangoGraph, applied: string[], notes: string[]): string[] {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]))
  const done = new Set(applied)
  const builtOn = new Set(applied.flatMap((id) => byId.get(id)?.parents ?? []))
  for (const id of applied) {
    const node = byId.get(id)
    const missing = [...(node?.parents ?? []), ...(node?.dependsOn ?? [])].filter((p) => byId.has(p) && !done.has(p))
    if (missing.length > 0)
      notes.push(
        `${id} is recorded as applied on the live database but ${missing.join(', ')}, which it depends on, is not: \`python manage.py migrate\` refuses such a database (InconsistentMigrationHistory)`,
      )
  }
  return applied.filter((id) => !byId.has(id) || !builtOn.has(id))
}

/**
 * The gate's nodes the rows say are applied, in the rows' order, as Django's loader judges them:
 * a squashed migration is applied when every migration it replaces is (whether or not its own row
 * is there: a database migrated before the squash existed has only the originals'); the rows of the
 * replaced migrations are the squash's. Rows of apps outside the project (django.contrib.auth, a
 * package) are theirs, not the project's: left out. A row of a project app that names no migration
 * stays, so that the live check says the repository lacks it.
 */
export function appliedNodes(graph: DjangoGraph, rows: string[]): { revisions: string[]; notes: string[] } {
  const apps = new Set(graph.migrations.map((m) => m.app))
  const recorded = new Set(rows)
  const replacedBy = new Map<string, string>()
  for (const [squash, replaced] of graph.squashes) for (const id of replaced) replacedBy.set(id, squash)
  const notes: string[] = []
  const revisions: string[] = []
  const add = (id: string) => {
    if (!revisions.includes(id)) revisions.push(id)
  }
  for (const row of rows) {
    const app = row.slice(0, row.indexOf('.'))
    if (!apps.has(app)) continue
    const squash = replacedBy.get(row) ?? (graph.squashes.has(row) ? row : undefined)
    if (squash === undefined) {
      add(row)
      continue
    }
    const replaced = graph.squashes.get(squash) ?? []
    const done = replaced.filter((id) => recorded.has(id))
    // Added where its last replaced migration's row is: the order Django applied them in.
    if (done.length === replaced.length) {
      if (row === squash || row === lastRecorded(rows, replaced)) add(squash)
    }
  }
  for (const [squash, replaced] of graph.squashes) {
    const done = replaced.filter((id) => recorded.has(id))
    if (done.length > 0 && done.length < replaced.length) {
      notes.push(
        `${squash} is partly applied on the live database (${done.join(', ')} of the ${replaced.length} migrations it replaces): Django will run the rest of the originals instead of it, which the gate's graph (the squash) does not show`,
      )
    }
  }
  return { revisions, notes }
}

function lastRecorded(rows: string[], ids: string[]): string | undefined {
  return [...rows].reverse().find((r) => ids.includes(r))
}

/** `python manage.py migrate --fake <app> <name>` for each revision named ("REVISION" stays a placeholder). */
function fake(revisions: string): string {
  const commands = revisions
    .split(/\s+/)
    .filter(Boolean)
    .map((id) => {
      const dot = id.indexOf('.')
      return dot > 0
        ? `python manage.py migrate --fake ${id.slice(0, dot)} ${id.slice(dot + 1)}`
        : `python manage.py migrate --fake APP ${id}`
    })
  return commands.map((c) => `\`${c}\``).join(' and ')
}

export const djangoLiveWording: LiveWording = {
  upgrade: 'python manage.py migrate',
  stamp: (revision) => `${fake(revision)} (\`python manage.py showmigrations\` shows what Django has recorded)`,
}
