// Renders a synthetic chain (synthetic-chain.ts) as a real Alembic project: `alembic init` makes
// alembic.ini (placeholder sqlalchemy.url), the generic env.py and script.py.mako, then every
// revision file is rendered through the project's own script.py.mako, the way `alembic revision`
// writes them (autogenerate-style op calls; data migrations by hand).
//   npx tsx bench/generate-alembic.ts REVISIONS DIR [--python /usr/bin/python3]
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import {
  planChain,
  slugOf,
  type ChainPlan,
  type Column,
  type ColumnDefault,
  type ColumnType,
  type Op,
} from './synthetic-chain.js'

export interface AlembicProject {
  dir: string
  ini: string
  versions: string
  head: string
  files: number
  bytes: number
}

const q = (s: string): string => `'${s}'` // identifiers and ids: no quotes inside
/** A Python string literal for SQL text that may hold single quotes. */
const pyText = (s: string): string => JSON.stringify(s)

function pyType(t: ColumnType, inline: boolean): string {
  switch (t.kind) {
    case 'int':
      return 'sa.Integer()'
    case 'bigint':
      return 'sa.BigInteger()'
    case 'text':
      return 'sa.Text()'
    case 'bool':
      return 'sa.Boolean()'
    case 'timestamptz':
      return 'sa.DateTime(timezone=True)'
    case 'date':
      return 'sa.Date()'
    case 'jsonb':
      return 'postgresql.JSONB(astext_type=sa.Text())'
    case 'varchar':
      return `sa.String(length=${t.length})`
    case 'numeric':
      return `sa.Numeric(precision=${t.precision}, scale=${t.scale})`
    case 'enum':
      // Inside create_table the type is created with the table (and must be dropped by hand after it).
      return inline
        ? `sa.Enum(${t.values.map(q).join(', ')}, name=${q(t.name)})`
        : `postgresql.ENUM(${t.values.map(q).join(', ')}, name=${q(t.name)}, create_type=False)`
  }
}

const pyDefault = (d: ColumnDefault): string => (d.kind === 'now' ? "sa.text('now()')" : `sa.text(${pyText(d.sql)})`)

function pyColumn(c: Column, inline: boolean): string {
  const dflt = c.default ? `, server_default=${pyDefault(c.default)}` : ''
  return `sa.Column(${q(c.name)}, ${pyType(c.type, inline)}${dflt}, nullable=${c.nullable ? 'True' : 'False'})`
}

/** Upgrade and downgrade lines (4-space indented) of one operation. */
function pyOp(o: Op): { up: string[]; down: string[] } {
  switch (o.op) {
    case 'createTable': {
      const items = [
        "sa.Column('id', sa.Integer(), nullable=False)",
        ...o.columns.map((c) => pyColumn(c, true)),
        ...o.foreignKeys.map(
          (fk) => `sa.ForeignKeyConstraint([${q(fk.column)}], [${q(`${fk.refTable}.id`)}], name=${q(fk.name)})`,
        ),
        `sa.PrimaryKeyConstraint('id', name=${q(`pk_${o.table}`)})`,
        ...o.unique.map((c) => `sa.UniqueConstraint(${q(c)}, name=${q(`uq_${o.table}_${c}`)})`),
      ]
      const enums = o.columns.flatMap((c) => (c.type.kind === 'enum' ? [c.type.name] : []))
      return {
        up: [
          `    op.create_table(${q(o.table)},`,
          ...items.map((x, i) => `    ${x}${i < items.length - 1 ? ',' : ''}`),
          '    )',
        ],
        down: [
          `    op.drop_table(${q(o.table)})`,
          // keepEnumsOnDowngrade: the autogenerate bug (drop_table leaves the type behind).
          ...(o.keepEnumsOnDowngrade
            ? []
            : enums.map((e) => `    sa.Enum(name=${q(e)}).drop(op.get_bind(), checkfirst=False)`)),
        ],
      }
    }
    case 'createEnum':
      return {
        up: [`    postgresql.ENUM(${o.values.map(q).join(', ')}, name=${q(o.name)}).create(op.get_bind())`],
        down: [`    postgresql.ENUM(name=${q(o.name)}).drop(op.get_bind())`],
      }
    case 'addColumn':
      return {
        up: [`    op.add_column(${q(o.table)}, ${pyColumn(o.column, false)})`],
        down: [`    op.drop_column(${q(o.table)}, ${q(o.column.name)})`],
      }
    case 'createIndex': {
      const where = o.where ? `, postgresql_where=sa.text(${pyText(o.where)})` : ''
      return {
        up: [
          `    op.create_index(op.f(${q(o.name)}), ${q(o.table)}, [${o.columns.map(q).join(', ')}], unique=${o.unique ? 'True' : 'False'}${where})`,
        ],
        down: o.keepOnDowngrade ? [] : [`    op.drop_index(op.f(${q(o.name)}), table_name=${q(o.table)}${where})`],
      }
    }
    case 'addForeignKey':
      return {
        up: [
          `    op.create_foreign_key(${q(o.fk.name)}, ${q(o.table)}, ${q(o.fk.refTable)}, [${q(o.fk.column)}], ['id'])`,
        ],
        down: [`    op.drop_constraint(${q(o.fk.name)}, ${q(o.table)}, type_='foreignkey')`],
      }
    case 'addCheck':
      return {
        up: [`    op.create_check_constraint(${q(o.name)}, ${q(o.table)}, ${pyText(o.expr)})`],
        down: [`    op.drop_constraint(${q(o.name)}, ${q(o.table)}, type_='check')`],
      }
    case 'setDefault': {
      const alter = (d: string) =>
        `    op.alter_column(${q(o.table)}, ${q(o.column)}, existing_type=${pyType(o.type, false)}, server_default=${d})`
      return { up: [alter(pyDefault(o.to))], down: [alter(o.from ? pyDefault(o.from) : 'None')] }
    }
    case 'insertRows': {
      const cols = Object.keys(o.rows[0] ?? {})
      const pyValue = (v: string | number | boolean) =>
        typeof v === 'string' ? q(v) : typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v)
      const colType = (name: string) => (typeof o.rows[0]?.[name] === 'number' ? 'sa.Integer' : 'sa.String')
      const codes = o.rows.map((r) => `'${String(r.code)}'`).join(', ')
      return {
        up: [
          `    ${o.table} = sa.table(${q(o.table)}, ${cols.map((c) => `sa.column(${q(c)}, ${colType(c)})`).join(', ')})`,
          `    op.bulk_insert(`,
          `        ${o.table},`,
          `        [`,
          ...o.rows.map((r) => `            {${cols.map((c) => `${q(c)}: ${pyValue(r[c] ?? '')}`).join(', ')}},`),
          `        ],`,
          `    )`,
        ],
        down: [`    op.execute(${pyText(`DELETE FROM ${o.table} WHERE code IN (${codes})`)})`],
      }
    }
    case 'bumpCounter':
      return {
        up: [`    op.execute(${pyText(`UPDATE ${o.table} SET ${o.column} = ${o.column} + ${o.delta}`)})`],
        down: [`    op.execute(${pyText(`UPDATE ${o.table} SET ${o.column} = ${o.column} - ${o.delta}`)})`],
      }
    case 'backfill':
      // The downgrade drops the column (the addColumn before it), and its data with it.
      return { up: [`    op.execute(sa.text(${pyText(`UPDATE ${o.table} SET ${o.column} = ${o.expr}`)}))`], down: [] }
    case 'irreversibleUpdate':
      return {
        up: [`    op.execute(sa.text(${pyText(`UPDATE ${o.table} SET ${o.column} = ${o.expr}`)}))`],
        down: [`    raise NotImplementedError(${pyText(`the old ${o.table}.${o.column} values are lost`)})`],
      }
  }
}

const AUTOGEN = [
  '    # ### commands auto generated by Alembic - please adjust! ###',
  '    # ### end Alembic commands ###',
]

function body(ops: Op[], direction: 'up' | 'down'): string {
  const rendered = ops.map(pyOp)
  const lines = direction === 'up' ? rendered.flatMap((r) => r.up) : [...rendered].reverse().flatMap((r) => r.down)
  if (lines.length === 0) return ''
  const handWritten = ops.some(
    (o) => o.op === 'insertRows' || o.op === 'bumpCounter' || o.op === 'backfill' || o.op === 'irreversibleUpdate',
  )
  const all = handWritten ? lines : [AUTOGEN[0] as string, ...lines, AUTOGEN[1] as string]
  // The template already indents the first line.
  return all.join('\n').replace(/^ {4}/, '')
}

const pyRepr = (v: string | string[] | null): string =>
  v === null ? 'None' : typeof v === 'string' ? q(v) : `(${v.map(q).join(', ')})`

/** Fills the project's script.py.mako with the values `alembic revision` passes it. */
export function renderRevision(template: string, values: Record<string, string>): string {
  return template.replace(/\$\{([^}]*)\}/g, (whole, expr: string) => {
    const key = expr.trim()
    const value = values[key]
    if (value === undefined) throw new Error(`script.py.mako: unsupported expression ${whole}`)
    return value
  })
}

function createDate(index: number): string {
  const d = new Date(Date.UTC(2023, 0, 2, 9, 0, 0) + index * 7 * 3_600_000 + index * 1_234)
  return `${d.toISOString().slice(0, 19).replace('T', ' ')}.${String((index * 37) % 1_000_000).padStart(6, '0')}`
}

/** `alembic init` into dir, then one file per revision of the plan. */
export function writeAlembicProject(dir: string, plan: ChainPlan, options: { python?: string } = {}): AlembicProject {
  const python = options.python ?? '/usr/bin/python3'
  mkdirSync(dir, { recursive: true })
  execFileSync(python, ['-m', 'alembic', 'init', 'alembic'], { cwd: dir, stdio: 'pipe' })
  const ini = path.join(dir, 'alembic.ini')
  const versions = path.join(dir, 'alembic', 'versions')
  const templateFile = path.join(dir, 'alembic', 'script.py.mako')
  if (!existsSync(ini) || !existsSync(templateFile)) throw new Error(`alembic init did not write a project in ${dir}`)
  const template = readFileSync(templateFile, 'utf8')
  mkdirSync(versions, { recursive: true })
  let bytes = 0
  for (const r of plan.revisions) {
    const down = r.parents.length === 0 ? null : r.parents.length === 1 ? (r.parents[0] as string) : r.parents
    const usesPostgresql = r.ops.some((o) =>
      pyOp(o)
        .up.concat(pyOp(o).down)
        .some((l) => l.includes('postgresql.')),
    )
    const values: Record<string, string> = {
      message: r.message,
      up_revision: r.id,
      'down_revision | comma,n': r.parents.join(', '),
      create_date: createDate(r.index),
      'imports if imports else ""': usesPostgresql ? 'from sqlalchemy.dialects import postgresql' : '',
      'repr(up_revision)': pyRepr(r.id),
      'repr(down_revision)': pyRepr(down),
      'repr(branch_labels)': 'None',
      'repr(depends_on)': 'None',
      'upgrades if upgrades else "pass"': body(r.ops, 'up') || 'pass',
      'downgrades if downgrades else "pass"': body(r.ops, 'down') || 'pass',
    }
    const text = renderRevision(template, values)
    writeFileSync(path.join(versions, `${r.id}_${slugOf(r.message)}.py`), text)
    bytes += text.length
  }
  const head = plan.revisions.at(-1)?.id ?? ''
  return { dir, ini, versions, head, files: plan.revisions.length, bytes }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [countArg, dirArg] = process.argv.slice(2)
  const python = process.argv.includes('--python') ? process.argv[process.argv.indexOf('--python') + 1] : undefined
  if (!countArg || !dirArg) {
    console.error('usage: npx tsx bench/generate-alembic.ts REVISIONS DIR [--python PATH]')
    process.exit(2)
  }
  const plan = planChain(Number(countArg))
  const project = writeAlembicProject(path.resolve(dirArg), plan, python ? { python } : {})
  console.log(
    `${project.files} revisions (${plan.tables} tables, ${plan.enums} enums) in ${project.versions}; head ${project.head}`,
  )
}
