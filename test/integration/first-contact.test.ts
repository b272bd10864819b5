// Real applications as they are, on first contact: the shapes that broke the gate on public
// projects, each a small fixture. Real Alembic, real PostgreSQL.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runGate } from '../../src/gate.js'
import { readConfig } from '../../src/inputs.js'
import { silentLogger } from '../../src/logger.js'
import { newerAlembicPython } from '../support/newer-alembic.js'
import { pythonWithAlembic } from '../support/python.js'
import { FIXTURES, gateOnFixture } from '../support/run-gate.js'

const fixtures = FIXTURES

const gate = gateOnFixture

// The application shapes on both generations: the distro's alembic 1.8 / SQLAlchemy 1.4, and a newer
// Alembic with SQLAlchemy 2.x (Flask 3, pydantic-settings), where it can be installed.
const newer = newerAlembicPython()
const generations = [
  { label: "the distro's Alembic", python: () => pythonWithAlembic(), skip: undefined },
  {
    label: `newer Alembic (${'versions' in newer ? newer.versions : 'absent'})`,
    python: async () => ('python' in newer ? newer.python : ''),
    skip: 'skip' in newer ? newer.skip : undefined,
  },
]

describe.each(generations)('application shapes on $label', ({ label, python, skip }) => {
  const run = async (fixture: string) => {
    const inputs: Record<string, string> = {
      'working-directory': join(fixtures, fixture),
      postgres: 'local',
      python: await python(),
    }
    return runGate(
      readConfig((name) => inputs[name]),
      { logger: silentLogger },
    )
  }
  const check = (name: string, fn: () => Promise<void>) =>
    it(name, async (ctx) => {
      if (skip) {
        console.log(`first contact on ${label} skipped: ${skip}`)
        ctx.skip()
      }
      await fn()
    })

  check('a revision that needs the app context env.py pushes', async () => {
    expect((await run('alembic-app-context')).findings).toEqual([])
  })
  check('drift beside module-level proxies', async () => {
    const r = await run('alembic-drift-proxy')
    expect(r.findings.map((f) => `${f.id}@${f.file}:${f.line}`)).toEqual(['model-drift@models.py:32'])
  })
  check('an env.py whose URL is built from POSTGRES_* parts (pydantic settings)', async () => {
    expect((await run('alembic-env-url-parts')).findings).toEqual([])
  })
})

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
    expect(line).toMatch(
      /the project reads POSTGRES_SERVER, POSTGRES_PORT, POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB/,
    )
    expect(line).toMatch(/\(app\/core\/config\.py\)/)
    expect(line).not.toMatch(/\n/)
  })

  it('names the variables of its own env.py reads when it connects elsewhere, and runs once they are given', async () => {
    const line = await failure('alembic-env-custom-vars')
    expect(line).toMatch(
      /^alembic: cannot load the migration environment \(app\/alembic\/env\.py:\d+\): OperationalError: /,
    )
    expect(line).toMatch(
      /the project reads APP_DB_HOST, APP_DB_PORT, APP_DB_USER, APP_DB_PASSWORD, APP_DB_NAME from the environment/,
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

describe('Flask applications as the flask command loads them', () => {
  it('finds the app FLASK_APP names in .flaskenv (manage.py, not app.py)', async () => {
    const r = await gate('flask-migrate-flaskenv')
    expect(r.tool).toBe('flask-migrate')
    expect(r.findings).toEqual([])
    expect(r.steps.length).toBe(9)
  })

  it("names the import that broke the app and where, not only Flask's first line, and the interpreter", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mg-first-contact-'))
    try {
      cpSync(join(fixtures, 'flask-migrate-flaskenv'), dir, { recursive: true })
      const app = join(dir, 'manage.py')
      writeFileSync(
        app,
        readFileSync(app, 'utf8').replace('import os\n', 'import os\nimport flask_not_installed_ext\n'),
      )
      const line = await failure('flask-migrate-flaskenv', { 'working-directory': dir })
      expect(line).toMatch(
        /NoAppException: While importing 'manage', an ImportError was raised: ModuleNotFoundError: No module named 'flask_not_installed_ext'/,
      )
      expect(line).toMatch(/\(manage\.py:\d+\)/)
      expect(line).toContain(`(python: ${await pythonWithAlembic()};`)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('env.py that falls back to another database', () => {
  it('refuses a SQLite fallback by name, and names the variable env.py reads instead', async () => {
    const line = await failure('alembic-env-sqlite-fallback')
    expect(line).toMatch(
      /WrongDatabase: env\.py connected to a sqlite database, not the gate's scratch PostgreSQL database/,
    )
    expect(line).toMatch(/the project reads DEV_DATABASE_URL from the environment/)
    expect(line).toMatch(/e\.g\. database-url-env: DEV_DATABASE_URL\)$/)
    const r = await gate('alembic-env-sqlite-fallback', { 'database-url-env': 'DEV_DATABASE_URL' })
    expect(r.findings).toEqual([])
  })
})

describe('the python input', () => {
  it('says a path that does not exist does not exist, before any server starts', async () => {
    const line = await failure('alembic-clean', { python: join(fixtures, 'no-such-venv', 'bin', 'python') })
    expect(line).toBe(`python: ${join(fixtures, 'no-such-venv', 'bin', 'python')} does not exist`)
  })
})

describe('run from a repository root whose project is in a subfolder', () => {
  it('names the projects below and the working-directory to set', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mg-first-contact-'))
    try {
      cpSync(join(fixtures, 'alembic-env-url-parts'), join(dir, 'backend'), { recursive: true })
      cpSync(join(fixtures, 'sql-golang-clean', 'migrations'), join(dir, 'services', 'billing', 'db', 'migration'), {
        recursive: true,
      })
      const line = await failure('.', { 'working-directory': dir })
      expect(line).toMatch(/^working-directory: no migration project found in /)
      expect(line).toContain(
        '; below it: backend/alembic.ini (working-directory: backend), services/billing/db/migration (golang-migrate) (working-directory: services/billing/db/migration)',
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
