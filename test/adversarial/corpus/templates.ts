// Small templates the corpus builds its projects from: a healthy Alembic project and healthy
// golang-migrate / dbmate directories, each case then breaks one thing. Nothing here is committed as
// a fixture: every project is written into the case's own temp dir.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

export const INI = `[alembic]
script_location = alembic
prepend_sys_path = .
sqlalchemy.url = driver://user:pass@localhost/dbname
`

/** The generic env.py, without logging config (the short ini has none) and without target_metadata. */
export const ENV_PY = `from sqlalchemy import engine_from_config, pool
from alembic import context

config = context.config
target_metadata = None


def run_migrations_offline():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=None, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    connectable = engine_from_config(config.get_section(config.config_ini_section), prefix="sqlalchemy.", poolclass=pool.NullPool)
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=None)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
`

export interface Revision {
  id: string
  /** down_revision as Python source: "None", "'abc'", "('a', 'b')", "42". */
  down: string
  /** Body lines of upgrade() / downgrade() (indented by the template). */
  up?: string[]
  downBody?: string[]
  /** Source put before the identifiers (imports, a raise at import time). */
  prelude?: string
  /** Replaces the `revision = '...'` line (an empty string drops it). */
  revisionLine?: string
  /** Replaces the `down_revision = ...` line (an empty string drops it). */
  downLine?: string
}

export function revisionSource(r: Revision): string {
  const body = (lines: string[] | undefined) => (lines?.length ? lines : ['pass']).map((l) => `    ${l}`).join('\n')
  return `"""${r.id}

Revision ID: ${r.id}
Revises:
Create Date: 2026-12-01 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
${r.prelude ?? ''}

${r.revisionLine ?? `revision = '${r.id}'`}
${r.downLine ?? `down_revision = ${r.down}`}
branch_labels = None
depends_on = None


def upgrade():
${body(r.up)}


def downgrade():
${body(r.downBody)}
`
}

/** Three healthy revisions: a table, a column, an index. Cases break one of them. */
export const CHAIN: Revision[] = [
  {
    id: 'a1f0c3d2e4b5',
    down: 'None',
    up: ['op.create_table("accounts", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("email", sa.Text()))'],
    downBody: ['op.drop_table("accounts")'],
  },
  {
    id: 'b2e1d4c3f5a6',
    down: "'a1f0c3d2e4b5'",
    up: ['op.add_column("accounts", sa.Column("plan", sa.Text(), nullable=True))'],
    downBody: ['op.drop_column("accounts", "plan")'],
  },
  {
    id: 'c3d2e5f4a6b7',
    down: "'b2e1d4c3f5a6'",
    up: ['op.create_index("ix_accounts_email", "accounts", ["email"])'],
    downBody: ['op.drop_index("ix_accounts_email", table_name="accounts")'],
  },
]

export const fileOf = (r: Revision) => `${r.id}_rev.py`

export function write(path: string, content: string | Buffer): void {
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, content)
}

/** An Alembic project at `dir`: alembic.ini, alembic/env.py, alembic/versions/ with `revisions`. */
export function alembicProject(dir: string, revisions: Revision[] = CHAIN, ini = INI, env = ENV_PY): void {
  write(join(dir, 'alembic.ini'), ini)
  write(join(dir, 'alembic', 'env.py'), env)
  mkdirSync(join(dir, 'alembic', 'versions'), { recursive: true })
  for (const r of revisions) write(join(dir, 'alembic', 'versions', fileOf(r)), revisionSource(r))
}

/** golang-migrate files: version -> [up, down] (down null: no down file). */
export const GOLANG: Array<[string, string, string | null]> = [
  ['1_create_accounts', 'CREATE TABLE accounts (id serial PRIMARY KEY, email text);', 'DROP TABLE accounts;'],
  ['2_add_plan', 'ALTER TABLE accounts ADD COLUMN plan text;', 'ALTER TABLE accounts DROP COLUMN plan;'],
  ['3_index_email', 'CREATE INDEX ix_accounts_email ON accounts (email);', 'DROP INDEX ix_accounts_email;'],
]

export function golangProject(dir: string, files = GOLANG): void {
  mkdirSync(join(dir, 'migrations'), { recursive: true })
  for (const [name, up, down] of files) {
    write(join(dir, 'migrations', `${name}.up.sql`), up)
    if (down !== null) write(join(dir, 'migrations', `${name}.down.sql`), down)
  }
}

export const dbmateFile = (up: string, down: string | null) =>
  `-- migrate:up\n${up}\n${down === null ? '' : `\n-- migrate:down\n${down}\n`}`

export const DBMATE: Array<[string, string]> = [
  [
    '20240301100000_create_accounts.sql',
    dbmateFile('CREATE TABLE accounts (id serial PRIMARY KEY, email text);', 'DROP TABLE accounts;'),
  ],
  [
    '20240302100000_add_plan.sql',
    dbmateFile('ALTER TABLE accounts ADD COLUMN plan text;', 'ALTER TABLE accounts DROP COLUMN plan;'),
  ],
  [
    '20240303100000_index_email.sql',
    dbmateFile('CREATE INDEX ix_accounts_email ON accounts (email);', 'DROP INDEX ix_accounts_email;'),
  ],
]

export function dbmateProject(dir: string, files = DBMATE): void {
  mkdirSync(join(dir, 'db', 'migrations'), { recursive: true })
  for (const [name, content] of files) write(join(dir, 'db', 'migrations', name), content)
}
