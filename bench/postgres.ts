// Start-up figures of the Postgres providers on the machine it runs on: median of several runs of start()
// (to the first answered query) and stop(), for local, embedded, and docker when an engine can be
// reached or started (the test image from test/support/docker.ts); and createDatabase from a
// template. Prints figures only: nothing here asserts a time.
//   npx tsx bench/postgres.ts [runs]
import pg from 'pg'
import { dockerProvider } from '../src/postgres/docker.js'
import { embeddedProvider } from '../src/postgres/embedded.js'
import { localProvider } from '../src/postgres/local.js'
import type { PostgresProvider, Server } from '../src/postgres/provider.js'
import { ensureDockerEngine, ensurePostgresImage } from '../test/support/docker.js'
import { ResourceTracker } from '../src/resource-tracker.js'

/** What this file's servers and processes are tracked by, as a run's are by its own. */
const resources = new ResourceTracker()

const RUNS = Number(process.argv[2] ?? 5)

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}
const ms = (x: number) => `${Math.round(x)} ms`.padStart(8)

function row(label: string, samples: number[], note = ''): void {
  const sorted = [...samples].sort((a, b) => a - b)
  console.log(
    `${label.padEnd(44)}${ms(median(samples))}   min ${ms(sorted[0] ?? 0)}   max ${ms(sorted.at(-1) ?? 0)}   n=${samples.length}${note ? `   ${note}` : ''}`,
  )
}

async function benchStart(label: string, provider: PostgresProvider, runs: number, note = ''): Promise<void> {
  const reason = await provider.unavailableReason()
  if (reason) {
    console.log(`${label.padEnd(44)}skipped: ${reason}`)
    return
  }
  const starts: number[] = []
  const stops: number[] = []
  let version = ''
  for (let i = 0; i < runs; i++) {
    const server = await provider.start()
    starts.push(server.startMs)
    version = server.serverVersion
    const t = performance.now()
    await server.stop()
    stops.push(performance.now() - t)
  }
  row(`${label} start (ready)`, starts, `PostgreSQL ${version}${note}`)
  row(`${label} stop`, stops)
}

async function exec(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

async function benchTemplates(server: Server, runs: number): Promise<void> {
  const template = await server.createDatabase()
  // A schema of some size: 100 tables with an index and a few rows each.
  const ddl = Array.from(
    { length: 100 },
    (_, i) =>
      `CREATE TABLE t${i} (id serial PRIMARY KEY, name text NOT NULL, at timestamptz DEFAULT now());` +
      `CREATE INDEX ix_t${i}_name ON t${i} (name); INSERT INTO t${i} (name) SELECT 'n' || g FROM generate_series(1, 20) g;`,
  ).join('\n')
  await exec(template.url, ddl)
  const empty: number[] = []
  const copy: number[] = []
  const drop: number[] = []
  for (let i = 0; i < runs; i++) {
    let t = performance.now()
    const e = await server.createDatabase()
    empty.push(performance.now() - t)
    t = performance.now()
    const c = await server.createDatabase({ template: template.name })
    copy.push(performance.now() - t)
    t = performance.now()
    await server.dropDatabase(c.name)
    drop.push(performance.now() - t)
    await server.dropDatabase(e.name)
  }
  row(`${server.provider} createDatabase (empty)`, empty)
  row(`${server.provider} createDatabase (template, 100 tables)`, copy)
  row(`${server.provider} dropDatabase`, drop)
}

console.log(`migration-gate Postgres providers, ${RUNS} runs each (median, min, max)\n`)
await benchStart('local', localProvider({ resources }), RUNS)
await benchStart('embedded', embeddedProvider({ resources }), RUNS)

process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true'
const docker = await ensureDockerEngine()
if (docker.engine) {
  process.env.DOCKER_HOST = docker.engine.host
  const image = await ensurePostgresImage(docker.engine)
  if ('tag' in image)
    await benchStart(
      'docker',
      dockerProvider({ resources, image: image.tag }),
      Math.min(RUNS, 3),
      `, image ${image.tag}`,
    )
  else console.log(`${'docker'.padEnd(44)}skipped: ${image.reason}`)
  await docker.engine.stop()
} else {
  console.log(`${'docker'.padEnd(44)}skipped: ${docker.reason}`)
}

console.log('')
const server = await localProvider({ resources }).start()
try {
  await benchTemplates(server, Math.max(RUNS, 10))
} finally {
  await server.stop()
}
