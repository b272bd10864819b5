// Real applications as they are, on first contact: the shapes that broke the gate on public
// projects, each a small fixture. Real Alembic, real PostgreSQL.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runGate } from '../../src/gate.js'
import { readConfig } from '../../src/inputs.js'
import { silentLogger } from '../../src/logger.js'
import { pythonWithAlembic } from '../support/python.js'

const fixtures = join(import.meta.dirname, '..', 'fixtures')

async function gate(fixture: string, inputs: Record<string, string> = {}) {
  const python = await pythonWithAlembic()
  const get = (name: string) =>
    ({ 'working-directory': join(fixtures, fixture), postgres: 'local', python, ...inputs })[name]
  return runGate(readConfig(get), { logger: silentLogger })
}

/** The one-line error a run ends with, or undefined when it ran. */
async function failure(fixture: string, inputs: Record<string, string> = {}): Promise<string | undefined> {
  try {
    await gate(fixture, inputs)
    return undefined
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  }
}

describe('revision files that need the application at import time', () => {
  it('replays them inside the context env.py sets up, as `alembic upgrade` does', async () => {
    const r = await gate('alembic-app-context')
    expect(r.findings).toEqual([])
    expect(r.steps.filter((s) => s.ok)).toHaveLength(6) // two revisions, up/down/up each
  })

  it('and the Alembic cross-check reads the chain there too: no tool-disagreement', async () => {
    const r = await gate('alembic-app-context', { mode: 'static' })
    expect(r.findings).toEqual([])
    expect(r.chain?.heads).toEqual(['5bcf0489328e'])
  })
})

describe('env.py that builds its URL from parts', () => {
  it('gets the scratch database as POSTGRES_SERVER, POSTGRES_PORT, ... (pydantic settings)', async () => {
    const r = await gate('alembic-env-url-parts')
    expect(r.findings).toEqual([])
    expect(r.steps.length).toBe(6)
  })

  it('without them, the error keeps every field pydantic names, and says which variables env.py reads', async () => {
    const line = await failure('alembic-env-url-parts', { 'database-parts-env': 'none' })
    expect(line).toMatch(
      /ValidationError: 2 validation errors for Settings: POSTGRES_SERVER \(field required\), POSTGRES_USER \(field required\)/i,
    )
    expect(line).toMatch(/env\.py reads POSTGRES_SERVER, POSTGRES_PORT, POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB/)
    expect(line).toMatch(/\(app\/core\/config\.py\)/)
    expect(line).not.toMatch(/\n/)
  })

  it('names the variables of its own env.py reads when it connects elsewhere, and runs once they are given', async () => {
    const line = await failure('alembic-env-custom-vars')
    expect(line).toMatch(
      /^alembic: cannot load the migration environment \(app\/alembic\/env\.py:\d+\): OperationalError: /,
    )
    expect(line).toMatch(
      /env\.py reads APP_DB_HOST, APP_DB_PORT, APP_DB_USER, APP_DB_PASSWORD, APP_DB_NAME from the environment/,
    )
    expect(line).toMatch(/database-parts-env: APP_DB_HOST,APP_DB_PORT,APP_DB_USER,APP_DB_PASSWORD,APP_DB_NAME/)
    const r = await gate('alembic-env-custom-vars', {
      'database-parts-env': 'APP_DB_HOST,APP_DB_PORT,APP_DB_USER,APP_DB_PASSWORD,APP_DB_NAME',
    })
    expect(r.findings).toEqual([])
    expect(r.steps.length).toBe(6)
  })

  it('rejects a variable whose part cannot be told, naming the input', async () => {
    expect(await failure('alembic-env-custom-vars', { 'database-parts-env': 'APP_DB_THING' })).toMatch(
      /^database-parts-env: cannot tell which part APP_DB_THING gets; write APP_DB_THING=host/,
    )
    expect(await failure('alembic-env-custom-vars', { 'database-parts-env': 'X=hostname' })).toMatch(
      /^database-parts-env: "X=hostname" names an unknown part \(allowed: host, port, user, password, database\)$/,
    )
  })
})
