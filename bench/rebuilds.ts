// What stairway rebuilds cost: a generated chain with a bad downgrade every N revisions (by turns an
// enum type the down forgets, so the re-upgrade fails, and a sequence whose start counts rows the
// down keeps, so the re-upgrade builds another schema; both make the stairway rebuild its database),
// replayed in stairway mode on one database and with replay-workers auto, with rebuild checkpoints
// off (every rebuild upgrades from base) and on, and on one database with the rebuild follower
// (replay-follower.ts: after the first rebuild, the next ones are built ahead). Prints the replay phase's median wall time; asserts
// nothing.
//
//   npx tsx bench/rebuilds.ts [--sizes 100,200] [--reps 3] [--every 15] [--tool alembic|sql]
//                             [--python /usr/bin/python3]
//
// Each run is runGate in this process with postgres: local (a cluster of its own, so template copies
// use STRATEGY FILE_COPY, as on CI); the figure is the report's replay phase, server start-up excluded.
// Repetitions interleave the five variants so load from other work spreads over all of them.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { autoWorkers } from '../src/checks/replay-slices.js'
import { runGate } from '../src/gate.js'
import { readConfig } from '../src/inputs.js'
import type { Logger } from '../src/logger.js'

interface Revision {
  up: string[]
  down: string[]
  bad?: 'forgotten-type' | 'counted-sequence'
}

/** Plain tables, columns and indexes, and every `every` revisions a bad downgrade (two kinds by turns). */
export function planRebuildChain(count: number, every: number): Revision[] {
  const revisions: Revision[] = [
    { up: ['CREATE TABLE accounts (id serial PRIMARY KEY, name text NOT NULL)'], down: ['DROP TABLE accounts'] },
  ]
  let bad = 0
  for (let i = 2; i <= count; i++) {
    const t = `t${i}`
    if (i % every === 0) {
      bad++
      if (bad % 2 === 1) {
        revisions.push({
          up: [`CREATE TYPE kind_${i} AS ENUM ('a', 'b')`, `ALTER TABLE accounts ADD COLUMN kind_${i} kind_${i}`],
          down: [`ALTER TABLE accounts DROP COLUMN kind_${i}`],
          bad: 'forgotten-type',
        })
      } else {
        revisions.push({
          up: [
            `INSERT INTO accounts (name) VALUES ('seeded by ${i}')`,
            `DO $$ BEGIN EXECUTE format('CREATE SEQUENCE seq_${i} START %s', 1000 * (SELECT count(*) FROM accounts)); END $$`,
          ],
          down: [`DROP SEQUENCE seq_${i}`],
          bad: 'counted-sequence',
        })
      }
    } else if (i % 3 === 0) {
      const target = `t${i - 1}`
      revisions.push({
        up: [`ALTER TABLE ${target} ADD COLUMN extra_${i} integer NOT NULL DEFAULT 0`],
        down: [`ALTER TABLE ${target} DROP COLUMN extra_${i}`],
      })
    } else {
      revisions.push({
        up: [
          `CREATE TABLE ${t} (id serial PRIMARY KEY, account_id integer REFERENCES accounts (id), code text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
          `CREATE INDEX ix_${t}_code ON ${t} (code)`,
        ],
        down: [`DROP TABLE ${t}`],
      })
    }
  }
  // A t{i-1} that is not a table (a bad or column revision before it) gets its column on accounts.
  const tables = new Set(revisions.flatMap((r) => r.up.map((s) => /^CREATE TABLE (\w+)/.exec(s)?.[1] ?? '')))
  for (const r of revisions) {
    for (const list of [r.up, r.down]) {
      for (const [k, s] of list.entries()) {
        const m = /^ALTER TABLE (t\d+) /.exec(s)
        if (m && !tables.has(m[1] as string)) list[k] = s.replace(m[1] as string, 'accounts')
      }
    }
  }
  return revisions
}

const id = (i: number) => `r${String(i).padStart(11, '0')}`

export function writeSql(dir: string, chain: Revision[]): void {
  const migrations = path.join(dir, 'migrations')
  mkdirSync(migrations, { recursive: true })
  for (const [k, r] of chain.entries()) {
    const name = `${String(k + 1).padStart(4, '0')}_rev_${k + 1}`
    writeFileSync(path.join(migrations, `${name}.up.sql`), r.up.map((s) => `${s};\n`).join(''))
    writeFileSync(path.join(migrations, `${name}.down.sql`), r.down.map((s) => `${s};\n`).join(''))
  }
}

export function writeAlembic(dir: string, chain: Revision[]): void {
  const versions = path.join(dir, 'alembic', 'versions')
  mkdirSync(versions, { recursive: true })
  writeFileSync(
    path.join(dir, 'alembic.ini'),
    '[alembic]\nscript_location = alembic\nsqlalchemy.url = driver://u:p@h/db\n',
  )
  writeFileSync(
    path.join(dir, 'alembic', 'env.py'),
    [
      'from alembic import context',
      'from sqlalchemy import engine_from_config, pool',
      'config = context.config',
      "connectable = engine_from_config(config.get_section(config.config_ini_section), prefix='sqlalchemy.', poolclass=pool.NullPool)",
      'with connectable.connect() as connection:',
      '    context.configure(connection=connection, target_metadata=None)',
      '    with context.begin_transaction():',
      '        context.run_migrations()',
      '',
    ].join('\n'),
  )
  const body = (statements: string[]) => statements.map((s) => `    op.execute(${JSON.stringify(s)})`).join('\n')
  for (const [k, r] of chain.entries()) {
    const text = [
      `"""rev ${k + 1}"""`,
      'from alembic import op',
      `revision = '${id(k + 1)}'`,
      `down_revision = ${k === 0 ? 'None' : `'${id(k)}'`}`,
      'branch_labels = None',
      'depends_on = None',
      '',
      'def upgrade():',
      body(r.up),
      '',
      'def downgrade():',
      body(r.down),
      '',
    ].join('\n')
    writeFileSync(path.join(versions, `${id(k + 1)}_rev_${k + 1}.py`), text)
  }
}

/**
 * Upgrades the rebuilds ran, from the gate's debug lines: a rebuild up to X (from the checkpoint at
 * Y) upgrades the revisions after Y through X. The work figure, which load on the machine does not move.
 */
function rebuildUpgrades(debug: string[], chain: Revision[]): number {
  const position = (revision: string) =>
    chain.findIndex((_, k) => id(k + 1) === revision || String(k + 1) === revision) + 1
  let upgrades = 0
  for (const m of debug) {
    const r = /^stairway: rebuilding the database up to (\S+)(?: from the checkpoint at (\S+))?$/.exec(m)
    if (r) upgrades += position(r[1] as string) - (r[2] ? position(r[2]) : 0)
  }
  return upgrades
}

async function replay(
  dir: string,
  chain: Revision[],
  tool: string,
  python: string,
  workers: string,
  checkpoints: string,
  follower: string,
) {
  const inputs: Record<string, string> = {
    'working-directory': dir,
    tool,
    python,
    postgres: 'local',
    // The machine's PostgreSQL, whatever its major: a bench measures speed, not a major.
    'postgres-version': 'any',
    'replay-workers': workers,
    'model-drift': 'false',
  }
  process.env.MIGRATION_GATE_REBUILD_CHECKPOINTS = checkpoints
  process.env.MIGRATION_GATE_REBUILD_FOLLOWER = follower
  const debug: string[] = []
  const logger: Logger = { info() {}, warn() {}, debug: (m) => debug.push(m) }
  const report = await runGate(
    readConfig((name) => inputs[name]),
    { logger },
  )
  const findings = report.findings.filter((f) => f.revision).length
  const restarts = debug.filter((m) => /^stairway slice \d+: run \d+$/.test(m)).length
  return { ms: report.timings.phases.replay ?? NaN, findings, upgrades: rebuildUpgrades(debug, chain), restarts }
}

if (process.env.REBUILDS_BENCH_GENERATE) {
  const [count, every, tool, dir] = process.env.REBUILDS_BENCH_GENERATE.split(':')
  const chain = planRebuildChain(Number(count), Number(every))
  if (tool === 'sql') writeSql(dir as string, chain)
  else writeAlembic(dir as string, chain)
  process.exit(0)
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100,200' },
    reps: { type: 'string', default: '3' },
    every: { type: 'string', default: '15' },
    tool: { type: 'string', default: 'alembic' },
    python: { type: 'string', default: '/usr/bin/python3' },
  },
})
const sizes = values.sizes.split(',').map(Number)
const reps = Number(values.reps)
const every = Number(values.every)
const variants = [
  { name: 'one database, checkpoints off', workers: '1', checkpoints: 'off', follower: 'off' },
  { name: 'one database, checkpoints on', workers: '1', checkpoints: 'auto', follower: 'off' },
  { name: 'one database, checkpoints and follower on', workers: '1', checkpoints: 'auto', follower: 'on' },
  { name: 'replay-workers auto, checkpoints off', workers: 'auto', checkpoints: 'off', follower: 'off' },
  {
    name: 'replay-workers auto, checkpoints and follower on (the defaults)',
    workers: 'auto',
    checkpoints: 'auto',
    follower: 'on',
  },
]
console.log(
  `tool ${values.tool}, a bad downgrade every ${every} revisions, ${reps} repetitions, ${availableParallelism()} cores, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
)
const rows: string[] = []
for (const size of sizes) {
  const dir = mkdtempSync(path.join(tmpdir(), 'migration-gate-bench-rebuilds-'))
  try {
    const chain = planRebuildChain(size, every)
    if (values.tool === 'sql') writeSql(dir, chain)
    else writeAlembic(dir, chain)
    const times = variants.map(() => [] as number[])
    const work = variants.map(() => '')
    for (let rep = 0; rep < reps; rep++) {
      for (const [v, variant] of variants.entries()) {
        const r = await replay(
          dir,
          chain,
          values.tool,
          values.python,
          variant.workers,
          variant.checkpoints,
          variant.follower,
        )
        times[v]?.push(r.ms)
        work[v] = `${r.upgrades} | ${r.restarts}`
        console.log(
          `  ${size} revisions, ${variant.name}: ${Math.round(r.ms)} ms (${r.findings} findings, ${r.upgrades} upgrades in rebuilds, ${r.restarts} slice restarts)`,
        )
      }
    }
    const bad = chain.filter((r) => r.bad).length
    for (const [v, variant] of variants.entries()) {
      const t = median(times[v] ?? [])
      const w = variant.workers === 'auto' ? ` (${autoWorkers(size, availableParallelism())} databases)` : ''
      rows.push(`| ${size} | ${bad} | ${variant.name}${w} | ${(t / 1000).toFixed(2)} s | ${work[v]} |`)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
delete process.env.MIGRATION_GATE_REBUILD_CHECKPOINTS
delete process.env.MIGRATION_GATE_REBUILD_FOLLOWER
console.log(
  '\n| revisions | bad downgrades | variant | replay, median | upgrades in rebuilds (last run) | slice restarts (last run) |\n|---|---|---|---|---|---|',
)
for (const row of rows) console.log(row)
