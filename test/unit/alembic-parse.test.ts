import { describe, expect, it } from 'vitest'
import {
  breaksAlembic,
  parseRevisionFile,
  parseRevisionSource,
  type ParsedRevision,
} from '../../src/drivers/alembic/parse.js'
import type { Finding } from '../../src/report.js'

const FILE = 'migrations/versions/ab12cd34ef56_add_users.py'

function ok(source: string, file = FILE): ParsedRevision {
  const result = parseRevisionSource(source, file)
  if ('problem' in result) throw new Error(`expected a revision, got: ${result.problem.message}`)
  return result.revision
}

function problem(source: string | Uint8Array, file = FILE): Finding {
  const result = typeof source === 'string' ? parseRevisionSource(source, file) : parseRevisionFile(source, file)
  if ('revision' in result) throw new Error(`expected a problem, got revision ${result.revision.id}`)
  return result.problem
}

const classic = `"""add users table

Revision ID: ab12cd34ef56
Revises: 0f9e8d7c6b5a
Create Date: 2024-03-04 10:12:33.418271

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ab12cd34ef56'
down_revision = '0f9e8d7c6b5a'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('users', sa.Column('id', sa.Integer(), primary_key=True))


def downgrade() -> None:
    op.drop_table('users')
`

describe('parseRevisionSource: headers as Alembic writes them', () => {
  it('reads the 1.8 template: ids, lines and the message', () => {
    expect(ok(classic)).toEqual({
      id: 'ab12cd34ef56',
      parents: ['0f9e8d7c6b5a'],
      dependsOn: [],
      branchLabels: [],
      line: 13,
      parentsLine: 14,
      dependsOnLine: 16,
      branchLabelsLine: 15,
      message: 'add users table',
      downgradeLine: 23,
    })
  })

  it('reads the typed 1.13 template with double quotes', () => {
    const r = ok(`"""create orders

Revision ID: 1234abcd5678
"""
from typing import Sequence, Union

revision: str = "1234abcd5678"
down_revision: Union[str, None] = "0f9e8d7c6b5a"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None
`)
    expect(r).toMatchObject({
      id: '1234abcd5678',
      parents: ['0f9e8d7c6b5a'],
      line: 7,
      parentsLine: 8,
      message: 'create orders',
    })
  })

  it('reads a base (None) and an empty tuple as no parents', () => {
    expect(ok(`revision = 'a1'\ndown_revision = None\n`).parents).toEqual([])
    expect(ok(`revision = 'a1'\ndown_revision = ()\n`).parents).toEqual([])
  })

  it('reads a merge: a tuple over several lines with comments and a trailing comma', () => {
    const r = ok(`revision: str = "e6a0c4f8b251"
down_revision: Union[str, Sequence[str], None] = (
    "5d9b3f7a1c62",  # orders
    # the products branch
    'b8f2d6a0e473',
)
`)
    expect(r.parents).toEqual(['5d9b3f7a1c62', 'b8f2d6a0e473'])
    expect(r.parentsLine).toBe(2)
  })

  it('reads lists, bare tuples and a parenthesized single string', () => {
    expect(ok(`revision = 'm'\ndown_revision = ['a', "b"]\n`).parents).toEqual(['a', 'b'])
    expect(ok(`revision = 'm'\ndown_revision = 'a', 'b'\n`).parents).toEqual(['a', 'b'])
    expect(ok(`revision = 'm'\ndown_revision = ('a')\n`).parents).toEqual(['a'])
    expect(ok(`revision = 'm'\ndown_revision = ('a',)\n`).parents).toEqual(['a'])
    expect(ok(`revision = ('m')\ndown_revision = None\n`).id).toBe('m')
  })

  it('reads branch_labels and depends_on as a string or a sequence', () => {
    const r = ok(`revision = 'n1'\ndown_revision = None\nbranch_labels = 'networking'\ndepends_on = ['a1', 'b2']\n`)
    expect(r).toMatchObject({
      branchLabels: ['networking'],
      dependsOn: ['a1', 'b2'],
      branchLabelsLine: 3,
      dependsOnLine: 4,
    })
    expect(ok(`revision = 'n1'\ndown_revision = None\nbranch_labels = ('net', 'infra')\n`).branchLabels).toEqual([
      'net',
      'infra',
    ])
  })

  it('concatenates adjacent string literals, decodes escapes, keeps raw strings raw', () => {
    expect(ok(`revision = 'ab' "cd"\ndown_revision = None\n`).id).toBe('abcd')
    expect(ok(`revision = 'a\\x62c'\ndown_revision = None\n`).id).toBe('abc')
    expect(ok(`revision = r'a\\b'\ndown_revision = None\n`).id).toBe('a\\b')
    expect(ok(`revision = u'abc'\ndown_revision = None\n`).id).toBe('abc')
  })

  it('counts only module-level assignments, and the last one wins', () => {
    const r = ok(`revision = 'real'
down_revision = 'first'
down_revision = 'second'

if TYPE_CHECKING:
    revision = 'in-an-if'

def upgrade():
    revision = 'local'
    down_revision = 'local'

class Helper:
    down_revision = 'attribute'
`)
    expect(r).toMatchObject({ id: 'real', parents: ['second'], parentsLine: 3 })
  })

  it('ignores look-alikes inside strings, comments and calls', () => {
    const r = ok(`"""msg

revision = 'docstring'
"""
# revision = 'comment'
revision = 'real1'
down_revision = None

def upgrade():
    op.execute("""
revision = 'sql'
""")
    op.execute(f"UPDATE t SET v = {d["key"]} -- revision = 'x'")
    op.execute(f'''{ {"a": 1}['a'] }''')
`)
    expect(r).toMatchObject({ id: 'real1', parents: [], line: 6 })
  })

  it('follows continuation lines, semicolons and CRLF line endings', () => {
    expect(ok(`revision = \\\n    'a1'\ndown_revision = None\n`).id).toBe('a1')
    expect(ok(`revision = 'a1'; down_revision = 'p0'\n`).parents).toEqual(['p0'])
    const crlf = ok(`"""crlf message\r\n\r\n"""\r\nrevision = 'a1'\r\ndown_revision = 'p0'\r\n`)
    expect(crlf).toMatchObject({ id: 'a1', line: 4, parentsLine: 5, message: 'crlf message' })
  })

  it('takes the message from the docstring’s first non-empty line, if there is a docstring', () => {
    expect(ok(`"""\n  second line start\n"""\nrevision = 'a'\ndown_revision = None\n`).message).toBe(
      'second line start',
    )
    expect(ok(`# -*- coding: utf-8 -*-\nr'''raw doc'''\nrevision = 'a'\ndown_revision = None\n`).message).toBe(
      'raw doc',
    )
    expect(ok(`revision = 'a'\ndown_revision = None\n`).message).toBeUndefined()
  })

  it('has no message where the docstring holds none: header lines first, "None", "empty message"', () => {
    for (const doc of [
      'Revision ID: a1\nRevises: \nCreate Date: 2026-01-01',
      '\nRevision ID: a1',
      'None',
      'empty message',
      'Create Date: x',
    ]) {
      expect(ok(`"""${doc}\n"""\nrevision = 'a1'\ndown_revision = None\n`).message).toBeUndefined()
    }
    expect(ok(`"""Revisions of the pricing table\n"""\nrevision = 'a1'\ndown_revision = None\n`).message).toBe(
      'Revisions of the pricing table',
    )
  })

  it('takes the id from a legacy hex file name when the file declares none (Alembic 0.1 files)', () => {
    expect(ok(`down_revision = None\n`, 'alembic/versions/3b2f5d0c1a9e.py')).toMatchObject({
      id: '3b2f5d0c1a9e',
      line: 1,
    })
  })

  it('decodes a latin-1 file that declares its coding', () => {
    const bytes = Buffer.concat([
      Buffer.from('# -*- coding: latin-1 -*-\n"""caf'),
      Buffer.from([0xe9]),
      Buffer.from(`"""\nrevision = 'a'\ndown_revision = None\n`),
    ])
    const result = parseRevisionFile(bytes, FILE)
    expect('revision' in result && result.revision.message).toBe('café')
  })
})

describe('parseRevisionSource: files that cannot be read become unparseable-migration', () => {
  it('reports a file without revision, as Alembic would fail on it', () => {
    const f = problem(`from alembic import op\n\ndef helper():\n    pass\n`, 'alembic/versions/_helpers.py')
    expect(f).toMatchObject({
      id: 'unparseable-migration',
      severity: 'error',
      file: 'alembic/versions/_helpers.py',
      line: 1,
    })
    expect(f.message).toContain('even `alembic heads`')
    expect(f.fix).toMatch(/^Declare `revision = "<id>"` at module level, or move the file out/)
    expect(breaksAlembic(f)).toBe(true)
  })

  it('reports a down_revision that is a variable at its line, as a limit of the static reading', () => {
    const f = problem(`PREVIOUS = 'p0'\nrevision = 'a1'\ndown_revision = PREVIOUS\n`)
    expect(f).toMatchObject({ id: 'unparseable-migration', line: 3, revision: 'a1' })
    expect(f.message).toContain('the name PREVIOUS')
    expect(f.message).toContain('without running Python')
    expect(breaksAlembic(f)).toBe(false)
  })

  it('reports revision set from an expression, a call, an f-string or bytes', () => {
    expect(problem(`revision = 'a' + 'b'\ndown_revision = None\n`).message).toContain('an expression')
    expect(problem(`revision = make_id()\ndown_revision = None\n`).message).toContain('a call to make_id()')
    expect(problem(`revision = f'a{1}'\ndown_revision = None\n`).message).toContain('an f-string')
    expect(problem(`revision = b'a1'\ndown_revision = None\n`).message).toContain('a bytes literal')
    expect(problem(`revision = 'a1'\nrevision += 'x'\ndown_revision = None\n`)).toMatchObject({ line: 2 })
  })

  it('reports a missing down_revision, as Alembic reads module.down_revision', () => {
    const f = problem(`revision = 'a1'\nbranch_labels = None\n`)
    expect(f).toMatchObject({ line: 1, revision: 'a1' })
    expect(f.message).toContain('down_revision')
    expect(breaksAlembic(f)).toBe(true)
  })

  it('reports ids with characters Alembic refuses', () => {
    const f = problem(`revision = 'add-users'\ndown_revision = None\n`)
    expect(f.message).toContain("'-'")
    expect(breaksAlembic(f)).toBe(true)
  })

  it('reports a non-string item in a merge tuple', () => {
    expect(problem(`revision = 'm'\ndown_revision = ('a', None)\n`).message).toContain('something other than strings')
  })

  it('reports an unterminated string at the line it starts', () => {
    const f = problem(
      `revision = 'a1'\ndown_revision = None\n\ndef upgrade():\n    op.execute("""\n        DROP TABLE users\n`,
    )
    expect(f).toMatchObject({ line: 5 })
    expect(f.message).toContain('unterminated triple-quoted string')
    expect(problem(`revision = 'a1\ndown_revision = None\n`)).toMatchObject({ line: 1 })
  })

  it('reports an unclosed bracket and a stray character', () => {
    expect(problem(`revision = 'a1'\ndown_revision = ('p0',\n\ndef upgrade():\n    pass\n`)).toMatchObject({ line: 2 })
    expect(problem(`revision = 'a1'\ndown_revision = None\nx = 1 ? 2 : 3\n`).message).toContain("invalid character '?'")
    expect(problem(`revision = 'a1'\ndown_revision = None\nx = (1]\n`).message).toContain(
      "closing ']' does not match '('",
    )
  })

  it('reports indentation Python’s tokenizer refuses', () => {
    const head = `revision = 'a1'\ndown_revision = None\n\n`
    expect(problem(`${head}def upgrade():\nop.drop_table('x')\n`)).toMatchObject({ line: 5 })
    expect(problem(`${head}def upgrade():\n`).message).toContain('expected an indented block')
    expect(problem(`${head}def upgrade():\n        op.drop_table('x')\n    pass\n`).message).toContain(
      'unindent does not match any outer indentation level (line 6)',
    )
    expect(problem(`${head}  op.drop_table('x')\n`).message).toContain('unexpected indent (line 4)')
    // Tabs and spaces that Python reads as the same level, comments and blank lines at any indent.
    expect(ok(`${head}def upgrade():\n\tif True:\n\t        pass\n  # a comment\n\n\tpass\n`).id).toBe('a1')
  })

  it('reports merge conflict markers, keeping the id it can still see', () => {
    const f = problem(
      `revision = 'a1'\n<<<<<<< HEAD\ndown_revision = 'p0'\n=======\ndown_revision = 'p1'\n>>>>>>> feature\n`,
    )
    expect(f).toMatchObject({ line: 2, revision: 'a1' })
    expect(f.message).toContain('merge conflict')
  })

  it('reports binary garbage instead of crashing', () => {
    expect(problem(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0xfe, 0x00]))).toMatchObject({
      line: 1,
      id: 'unparseable-migration',
    })
    expect(problem(`revision = 'a1'\0\n`).message).toContain('NUL')
  })

  it('never throws, whatever the input', () => {
    const samples = [
      '',
      '"""',
      "'",
      '(',
      ')',
      '\\',
      'revision =',
      '= 1',
      'revision: = 1',
      '\u0000\u0001',
      'f"{',
      'f"{x"',
      "revision = ''\ndown_revision = None",
    ]
    for (const s of samples) expect(() => parseRevisionSource(s, FILE)).not.toThrow()
  })
})
