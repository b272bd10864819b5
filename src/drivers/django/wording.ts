// How chain findings speak about Django: its field (`dependencies`), its loader's own errors, and
// the manage.py commands that fix things. Heads are Django's leaf nodes, counted per app.
import type { ChainWording } from '../driver.js'

/** ("orders", "0003_add_total") for orders.0003_add_total, as a dependency is written. */
export function dependencyTuple(id: string): string {
  const dot = id.indexOf('.')
  return `("${id.slice(0, dot)}", "${id.slice(dot + 1)}")`
}

function appsOf(ids: string[]): string[] {
  return [...new Set(ids.map((id) => id.slice(0, id.indexOf('.'))))]
}

export const djangoWording: ChainWording = {
  tool: 'Django',
  parentField: 'dependencies',
  dependsField: 'dependencies',
  labels: false,
  multipleHeads:
    '`python manage.py migrate` refuses to run ("Conflicting migrations detected; multiple leaf nodes in the migration graph"), so the deploy stops',
  merge: (heads) => `python manage.py makemigrations --merge${heads ? ` ${appsOf(heads).join(' ')}` : ''}`,
  missing: (ref) =>
    `Django's loader refuses the whole graph: every \`python manage.py migrate\` and \`showmigrations\` fails with NodeNotFoundError ("... dependencies reference nonexistent parent node ${dependencyTuple(ref).replace(/"/g, "'")}")`,
  duplicate:
    'Django refuses to start ("Application labels aren\'t unique"), or loads one of the two migrations and never runs the other',
  cycle: 'Django refuses a graph with a cycle: every `python manage.py migrate` fails with CircularDependencyError',
  newId:
    'give it a name no other migration of its app has (the migration name is the file name) and update the dependencies naming it',
  singleBase: false,
  scopeNoun: 'app',
  scopeOf: (ref) => ref.slice(0, ref.indexOf('.')),
  parentValue: dependencyTuple,
}
