// How chain findings speak about Alembic: its field names, its own error messages (as Alembic 1.8
// and 1.20 print them for these fixtures) and the commands that fix things.
import type { ChainWording } from '../../checks/chain.js'

export const alembicWording: ChainWording = {
  tool: 'Alembic',
  parentField: 'down_revision',
  dependsField: 'depends_on',
  labels: true,
  multipleHeads:
    '`alembic upgrade head` fails with "Multiple head revisions are present for given argument \'head\'", so the deploy stops',
  merge: (heads) =>
    heads ? `alembic merge -m "merge heads" ${heads.join(' ')}` : 'alembic merge heads -m "merge heads"',
  missing: (ref) =>
    `Alembic builds its graph from every revision, so every command, even \`alembic heads\`, fails (warning "Revision ${ref} referenced from ... is not present", then KeyError: '${ref}')`,
  duplicate:
    'Alembic warns "present more than once", keeps one file for the id yet counts the id twice among its heads: `alembic upgrade head` fails with "Multiple head revisions are present", and one of the two migrations can never run',
  cycle: 'Alembic refuses a graph with a cycle: every command fails with "Cycle is detected in revisions (...)"',
  newId:
    'set a fresh id (`python3 -c "import uuid; print(uuid.uuid4().hex[-12:])"`) in `revision =` and in the "Revision ID:" docstring line',
}
