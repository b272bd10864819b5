// What a failed start says: the variables the project reads (found without running it), the
// database's own first, and the one fix that fits the error.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readAlembicConfig } from '../../src/drivers/alembic/config.js'
import { envVarsReadByEnvPy } from '../../src/drivers/alembic/env-vars.js'
import { EnvironmentLoadError } from '../../src/drivers/alembic/session.js'
import { explainStartFailure, type StartContext } from '../../src/drivers/alembic/start-failure.js'

const scratch = mkdtempSync(path.join(tmpdir(), 'mg-start-failure-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(scratch, 'p-'))
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true })
    writeFileSync(path.join(dir, name), text)
  }
  return dir
}

const context = (reads: string[]): StartContext => ({
  python: '/usr/bin/python3',
  urlEnv: ['DATABASE_URL'],
  partsEnv: [['PGHOST', 'host']],
  envVarsRead: () => reads.map((name) => ({ name, file: 'app/config.py' })),
})
const failed = (message: string) => new EnvironmentLoadError({ message, file: 'env.py', line: 3 })

describe('envVarsReadByEnvPy', () => {
  it('reads nested pydantic settings (env_nested_delimiter) as the variables pydantic reads', () => {
    const dir = project({
      'alembic.ini': '[alembic]\nscript_location = alembic\n',
      'alembic/env.py': 'from app.core.config import get_settings\nurl = get_settings().sqlalchemy_url\n',
      'app/core/config.py': [
        'from pydantic import BaseModel',
        'from pydantic_settings import BaseSettings, SettingsConfigDict',
        'class Database(BaseModel):',
        '    hostname: str = "postgres"',
        '    port: int = 5432',
        'class Settings(BaseSettings):',
        '    database: Database',
        '    log_level: str = "INFO"',
        '    model_config = SettingsConfigDict(env_nested_delimiter="__")',
        '',
      ].join('\n'),
    })
    expect(envVarsReadByEnvPy(readAlembicConfig(dir)).map((v) => v.name)).toEqual([
      'DATABASE__HOSTNAME',
      'DATABASE__PORT',
      'LOG_LEVEL',
    ])
  })

  it("follows a Flask-Migrate project's app (FLASK_APP in .flaskenv) to its settings", () => {
    const dir = project({
      'migrations/alembic.ini': '[alembic]\n',
      'migrations/env.py': 'from flask import current_app\n',
      '.flaskenv': 'FLASK_APP=site.py\n',
      'site.py': 'from settings import Config\n',
      'settings.py': 'import os\nclass Config:\n    URI = os.environ.get("DEV_DATABASE_URL") or "sqlite://"\n',
    })
    expect(envVarsReadByEnvPy(readAlembicConfig(dir)).map((v) => `${v.name}@${v.file}`)).toEqual([
      'DEV_DATABASE_URL@settings.py',
    ])
  })
})

describe('explainStartFailure', () => {
  it("names the database's variables first, and the input that takes a whole URL", () => {
    const e = explainStartFailure(
      failed('OperationalError: connection refused'),
      context(['SECRET_KEY', 'MAIL_SERVER', 'MAIL_PORT', 'DEV_DATABASE_URL', 'PGHOST']),
    )
    expect(e.message).toMatch(
      /the project reads DEV_DATABASE_URL and 3 other variables from the environment \(app\/config\.py\)/,
    )
    expect(e.message).toMatch(/e\.g\. database-url-env: DEV_DATABASE_URL\)$/)
  })

  it('says which variable a KeyError lacks, and what FLASK_APP would fix', () => {
    expect(explainStartFailure(failed("KeyError: 'SERVER_NAME'"), context([])).message).toMatch(
      /\(the environment variable SERVER_NAME is read and not set: set it for the gate's step;/,
    )
    const noApp = explainStartFailure(
      failed("NoAppException: Detected factory 'create_app' in module 'app', but could not call it without arguments."),
      context([]),
    )
    expect(noApp.message).toMatch(/set FLASK_APP to the module or factory call that makes the app/)
  })

  it('leaves an error it has nothing to add to as it is', () => {
    const e = failed('SyntaxError: invalid syntax')
    expect(explainStartFailure(e, context(['DATABASE_URL']))).toBe(e)
  })
})
