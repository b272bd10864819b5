// The naive check teams hand-roll, as CI runs it: `alembic upgrade head`, `alembic downgrade base`,
// `alembic upgrade head` as three processes on a fresh database, each timed from spawn to exit.
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { runTimed, tail } from './children.js'

export interface NaiveRun {
  ok: boolean
  commandsMs: number[]
  /** Up to the command that failed, when one did: what CI waits for before it goes red. */
  totalMs: number
  error?: string
}

/** The URL as SQLAlchemy takes it (postgresql+psycopg2://), for alembic.ini and DATABASE_URL. */
export const sqlalchemyUrl = (url: string): string => url.replace(/^postgres(ql)?:/, 'postgresql+psycopg2:')

/**
 * ini: the project's alembic.ini; a copy beside it gets the scratch URL (the way a CI job sets
 * sqlalchemy.url), and DATABASE_URL carries it too, for env.py files that read the environment.
 */
export async function naiveAlembic(options: {
  python: string
  projectDir: string
  ini: string
  url: string
  env?: NodeJS.ProcessEnv
}): Promise<NaiveRun> {
  const url = sqlalchemyUrl(options.url)
  const ini = path.join(path.dirname(options.ini), 'alembic.bench.ini')
  const text = readFileSync(options.ini, 'utf8').replace(
    /^sqlalchemy\.url\s*=.*$/m,
    `sqlalchemy.url = ${url.replace(/%/g, '%%')}`,
  )
  writeFileSync(ini, text)
  const env = { ...process.env, ...options.env, DATABASE_URL: url }
  const commandsMs: number[] = []
  for (const command of [
    ['upgrade', 'head'],
    ['downgrade', 'base'],
    ['upgrade', 'head'],
  ]) {
    const done = await runTimed(options.python, ['-m', 'alembic', '-c', ini, ...command], {
      cwd: options.projectDir,
      env,
    })
    commandsMs.push(done.ms)
    if (done.code !== 0) {
      return {
        ok: false,
        commandsMs,
        totalMs: commandsMs.reduce((a, b) => a + b, 0),
        error: `alembic ${command.join(' ')} exited ${done.code ?? done.signal}: ${tail(done.stderr)}`,
      }
    }
  }
  return { ok: true, commandsMs, totalMs: commandsMs.reduce((a, b) => a + b, 0) }
}
