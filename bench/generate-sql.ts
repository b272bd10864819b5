// Renders a synthetic chain (synthetic-chain.ts) as a golang-migrate directory: migrations/
// NNNN_name.up.sql and NNNN_name.down.sql, the same operations as the Alembic rendering in plain
// SQL. golang-migrate has no branches: the chain is linear (Alembic's empty merge revisions are
// left out, so the directory holds a few fewer versions than the Alembic project).
//   npx tsx bench/generate-sql.ts REVISIONS DIR
import { mkdirSync, writeFileSync } from 'node:fs'
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

export interface SqlProject {
  dir: string
  migrations: string
  versions: number
  bytes: number
}

const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`

function sqlType(t: ColumnType): string {
  switch (t.kind) {
    case 'int':
      return 'integer'
    case 'bigint':
      return 'bigint'
    case 'text':
      return 'text'
    case 'bool':
      return 'boolean'
    case 'timestamptz':
      return 'timestamp with time zone'
    case 'date':
      return 'date'
    case 'jsonb':
      return 'jsonb'
    case 'varchar':
      return `character varying(${t.length})`
    case 'numeric':
      return `numeric(${t.precision}, ${t.scale})`
    case 'enum':
      return t.name
  }
}

const sqlDefault = (d: ColumnDefault): string => (d.kind === 'now' ? 'now()' : d.sql)

const sqlColumn = (c: Column): string =>
  `${c.name} ${sqlType(c.type)}${c.default ? ` DEFAULT ${sqlDefault(c.default)}` : ''}${c.nullable ? '' : ' NOT NULL'}`

const createEnum = (name: string, values: string[]): string =>
  `CREATE TYPE ${name} AS ENUM (${values.map(lit).join(', ')});`

/** Upgrade and downgrade statements of one operation. */
export function sqlOp(o: Op): { up: string[]; down: string[] } {
  switch (o.op) {
    case 'createTable': {
      const enums = o.columns.flatMap((c) => (c.type.kind === 'enum' ? [c.type] : []))
      const items = [
        'id serial NOT NULL',
        ...o.columns.map(sqlColumn),
        `CONSTRAINT pk_${o.table} PRIMARY KEY (id)`,
        ...o.unique.map((c) => `CONSTRAINT uq_${o.table}_${c} UNIQUE (${c})`),
        ...o.foreignKeys.map((fk) => `CONSTRAINT ${fk.name} FOREIGN KEY (${fk.column}) REFERENCES ${fk.refTable} (id)`),
      ]
      return {
        up: [
          ...enums.map((e) => createEnum(e.name, e.values)),
          `CREATE TABLE ${o.table} (\n${items.map((x) => `    ${x}`).join(',\n')}\n);`,
        ],
        down: [`DROP TABLE ${o.table};`, ...(o.keepEnumsOnDowngrade ? [] : enums.map((e) => `DROP TYPE ${e.name};`))],
      }
    }
    case 'createEnum':
      return { up: [createEnum(o.name, o.values)], down: [`DROP TYPE ${o.name};`] }
    case 'addColumn':
      return {
        up: [`ALTER TABLE ${o.table} ADD COLUMN ${sqlColumn(o.column)};`],
        down: [`ALTER TABLE ${o.table} DROP COLUMN ${o.column.name};`],
      }
    case 'createIndex':
      return {
        up: [
          `CREATE ${o.unique ? 'UNIQUE ' : ''}INDEX ${o.name} ON ${o.table} (${o.columns.join(', ')})${o.where ? ` WHERE ${o.where}` : ''};`,
        ],
        down: o.keepOnDowngrade ? [] : [`DROP INDEX ${o.name};`],
      }
    case 'addForeignKey':
      return {
        up: [
          `ALTER TABLE ${o.table} ADD CONSTRAINT ${o.fk.name} FOREIGN KEY (${o.fk.column}) REFERENCES ${o.fk.refTable} (id);`,
        ],
        down: [`ALTER TABLE ${o.table} DROP CONSTRAINT ${o.fk.name};`],
      }
    case 'addCheck':
      return {
        up: [`ALTER TABLE ${o.table} ADD CONSTRAINT ${o.name} CHECK (${o.expr});`],
        down: [`ALTER TABLE ${o.table} DROP CONSTRAINT ${o.name};`],
      }
    case 'setDefault':
      return {
        up: [`ALTER TABLE ${o.table} ALTER COLUMN ${o.column} SET DEFAULT ${sqlDefault(o.to)};`],
        down: [
          o.from
            ? `ALTER TABLE ${o.table} ALTER COLUMN ${o.column} SET DEFAULT ${sqlDefault(o.from)};`
            : `ALTER TABLE ${o.table} ALTER COLUMN ${o.column} DROP DEFAULT;`,
        ],
      }
    case 'insertRows': {
      const cols = Object.keys(o.rows[0] ?? {})
      const value = (v: string | number | boolean | undefined) => (typeof v === 'string' ? lit(v) : String(v))
      return {
        up: [
          `INSERT INTO ${o.table} (${cols.join(', ')}) VALUES\n${o.rows.map((r) => `    (${cols.map((c) => value(r[c])).join(', ')})`).join(',\n')};`,
        ],
        down: [`DELETE FROM ${o.table} WHERE code IN (${o.rows.map((r) => lit(String(r.code))).join(', ')});`],
      }
    }
    case 'bumpCounter':
      return {
        up: [`UPDATE ${o.table} SET ${o.column} = ${o.column} + ${o.delta};`],
        down: [`UPDATE ${o.table} SET ${o.column} = ${o.column} - ${o.delta};`],
      }
    case 'backfill':
      return { up: [`UPDATE ${o.table} SET ${o.column} = ${o.expr};`], down: [] }
    case 'irreversibleUpdate':
      // A down file cannot raise NotImplementedError: it refuses the way SQL can.
      return {
        up: [`UPDATE ${o.table} SET ${o.column} = ${o.expr};`],
        down: [`DO $$ BEGIN RAISE EXCEPTION 'irreversible: the old ${o.table}.${o.column} values are lost'; END $$;`],
      }
  }
}

/** migrations/NNNN_slug.{up,down}.sql under dir, one version per non-merge revision. */
export function writeSqlProject(dir: string, plan: ChainPlan): SqlProject {
  const migrations = path.join(dir, 'migrations')
  mkdirSync(migrations, { recursive: true })
  const linear = plan.revisions.filter((r) => !r.merge)
  const digits = Math.max(4, String(linear.length).length)
  let bytes = 0
  linear.forEach((r, i) => {
    const base = `${String(i + 1).padStart(digits, '0')}_${slugOf(r.message)}`
    const rendered = r.ops.map(sqlOp)
    const up = rendered.flatMap((x) => x.up)
    const down = [...rendered].reverse().flatMap((x) => x.down)
    for (const [suffix, statements] of [
      ['up', up],
      ['down', down],
    ] as const) {
      const text = `${statements.join('\n')}\n`
      writeFileSync(path.join(migrations, `${base}.${suffix}.sql`), text)
      bytes += text.length
    }
  })
  return { dir, migrations, versions: linear.length, bytes }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [countArg, dirArg] = process.argv.slice(2)
  if (!countArg || !dirArg) {
    console.error('usage: npx tsx bench/generate-sql.ts REVISIONS DIR')
    process.exit(2)
  }
  const project = writeSqlProject(path.resolve(dirArg), planChain(Number(countArg)))
  console.log(`${project.versions} versions in ${project.migrations}`)
}
