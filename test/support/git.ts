// Real git repositories for the git checks' tests: built in temp dirs with the git CLI, from the
// fixture projects, with fixed identities and no user or system config leaking in.
import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures')

const ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()
}

/** A scratch directory removed by the returned function. */
export function scratchDir(prefix = 'mg-git-test-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

export class TestRepo {
  constructor(readonly dir: string) {}

  /** A new repository on branch main. */
  static init(dir: string): TestRepo {
    mkdirSync(dir, { recursive: true })
    git(dir, 'init', '-q', '-b', 'main')
    return new TestRepo(dir)
  }

  git(...args: string[]): string {
    return git(this.dir, ...args)
  }

  /** Copies a fixture project into `into` (relative to the repository root), without caches. */
  copyFixture(name: string, into = '.'): this {
    cpSync(join(FIXTURES, name), join(this.dir, into), {
      recursive: true,
      filter: (src) => !src.includes('__pycache__'),
    })
    return this
  }

  write(file: string, text: string): this {
    mkdirSync(dirname(join(this.dir, file)), { recursive: true })
    writeFileSync(join(this.dir, file), text)
    return this
  }

  read(file: string): string {
    return readFileSync(join(this.dir, file), 'utf8')
  }

  /** Edits a file in place; the edit must change something. */
  edit(file: string, change: (text: string) => string): this {
    const before = this.read(file)
    const after = change(before)
    if (after === before) throw new Error(`edit of ${file} changed nothing`)
    return this.write(file, after)
  }

  remove(file: string): this {
    rmSync(join(this.dir, file))
    return this
  }

  /** Stages everything and commits; returns the new commit. */
  commit(message: string): string {
    this.git('add', '-A')
    this.git('commit', '-q', '--allow-empty', '-m', message)
    return this.git('rev-parse', 'HEAD')
  }

  checkout(branch: string, create = false): this {
    this.git('checkout', '-q', ...(create ? ['-b'] : []), branch)
    return this
  }
}

/** An Alembic revision file as `alembic revision` writes it, with an add_column body. */
export function revisionFile(id: string, parent: string | null, table: string, column: string): string {
  return `"""add ${column} to ${table}

Revision ID: ${id}
Revises: ${parent ?? ''}
Create Date: 2026-11-26 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '${id}'
down_revision = ${parent === null ? 'None' : `'${parent}'`}
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("${table}", sa.Column("${column}", sa.String(length=50), nullable=True))


def downgrade() -> None:
    op.drop_column("${table}", "${column}")
`
}
