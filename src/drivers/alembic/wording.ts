// How chain findings speak about Alembic: its field names, its own error messages (as Alembic 1.8
// and 1.20 print them for these fixtures) and the commands that fix things. The commands are the
// ones the project is run with: `alembic` (with -c where the ini is not ./alembic.ini), or `flask db`
// for Flask-Migrate (with -d where the directory is not ./migrations), whose users never call
// `alembic` itself (it would not even find the script location).
import path from 'node:path'
import type { ChainWording } from '../driver.js'
import type { AlembicConfig } from './config.js'

/** What the commands depend on; without it, a project run as plain `alembic` from its ./alembic.ini. */
export type CommandContext = Pick<AlembicConfig, 'projectDir' | 'iniPath' | 'scriptLocation' | 'flaskMigrate'>

/** The command line for an Alembic subcommand in this project: `alembic -c x.ini merge ...` or `flask db merge ...`. */
export function alembicCommand(config: CommandContext | undefined, subcommand: string, args = ''): string {
  const rest = args ? ` ${args}` : ''
  if (!config) return `alembic ${subcommand}${rest}`
  const rel = (p: string) => path.relative(config.projectDir, p).split(path.sep).join('/')
  if (config.flaskMigrate) {
    const dir = rel(config.scriptLocation)
    return `flask db ${subcommand}${dir === 'migrations' ? '' : ` -d ${dir}`}${rest}`
  }
  const ini = rel(config.iniPath)
  return `alembic${ini === 'alembic.ini' ? '' : ` -c ${ini}`} ${subcommand}${rest}`
}

/** The words for this project (its commands); without a config, for plain `alembic` at the project root. */
export function alembicWordingFor(config?: CommandContext): ChainWording {
  const cmd = (subcommand: string, args = '') => alembicCommand(config, subcommand, args)
  // `flask db upgrade` goes to head by itself; `alembic upgrade` needs it said.
  const upgrade = config?.flaskMigrate ? cmd('upgrade') : cmd('upgrade', 'head')
  return {
    tool: config?.flaskMigrate ? 'Flask-Migrate' : 'Alembic',
    parentField: 'down_revision',
    dependsField: 'depends_on',
    labels: true,
    multipleHeads: `\`${upgrade}\` fails with "Multiple head revisions are present for given argument 'head'", so the deploy stops`,
    merge: (heads) =>
      heads ? cmd('merge', `-m "merge heads" ${heads.join(' ')}`) : cmd('merge', 'heads -m "merge heads"'),
    missing: (ref) =>
      `Alembic builds its graph from every revision, so every command, even \`${cmd('heads')}\`, fails (warning "Revision ${ref} referenced from ... is not present", then KeyError: '${ref}')`,
    duplicate: `Alembic warns "present more than once", keeps one file for the id yet counts the id twice among its heads: \`${upgrade}\` fails with "Multiple head revisions are present", and one of the two migrations can never run`,
    cycle: 'Alembic refuses a graph with a cycle: every command fails with "Cycle is detected in revisions (...)"',
    newId:
      'set a fresh id (`python3 -c "import uuid; print(uuid.uuid4().hex[-12:])"`) in `revision =` and in the "Revision ID:" docstring line',
  }
}

export const alembicWording: ChainWording = alembicWordingFor()
