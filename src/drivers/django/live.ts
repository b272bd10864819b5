// mode live for Django: where the live database stands, from Django's own record of what it applied
// (the django_migrations table, one row per applied migration: app and name; its name is fixed in
// Django, its schema the search_path's), and the manage.py commands the live findings' fixes name.
import type { LiveReader, LiveState, LiveWording } from '../driver.js'
import { readVersionTable } from '../live-table.js'
import type { DjangoGraph } from './graph.js'

/** Django's record of applied migrations: always this table (MigrationRecorder). */
export const DJANGO_MIGRATIONS = 'django_migrations'

export async function readDjangoLiveState(graph: DjangoGraph, reader: LiveReader): Promise<LiveState> {
  const read = await readVersionTable(reader, { table: DJANGO_MIGRATIONS }, ['app', 'name'], 'id')
  const rows = (read?.rows ?? []).flatMap((r) => (r.app && r.name ? [`${r.app}.${r.name}`] : []))
  const { revisions, notes } = appliedNodes(graph, rows)
  return { table: read?.name ?? DJANGO_MIGRATIONS, exists: read !== null, revisions, applied: 'each', notes }
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
