// scopeDrift's rules on shapes the fixtures do not produce on demand: a difference no model file can
// be found for (a deleted model class), and a model file that declares no table at all.
import { describe, expect, it } from 'vitest'
import { scopeDrift } from '../../src/checks/drift-scope.js'
import { alembicModelsWording } from '../../src/drivers/alembic/models-wording.js'
import type { ModelDrift } from '../../src/drivers/driver.js'
import type { Finding } from '../../src/report.js'

const changedModel = (file: string): Finding => ({
  id: 'models-changed-without-migration',
  severity: 'error',
  message: `\`${file}\` changed, a model file, but this PR adds no migration`,
  file,
  line: 3,
})

const scope = (drift: ModelDrift, files: string[], texts: string[] = []) =>
  scopeDrift({
    drift,
    findings: files.map(changedModel),
    changedModels: new Set(files),
    changedMigrationTexts: texts,
    models: alembicModelsWording(),
    base: 'main',
    strict: false,
  })

describe('scopeDrift', () => {
  it('keeps the error where a difference belongs to no file (a model class the PR deleted)', () => {
    const r = scope(
      {
        items: [
          {
            message: 'migrations create table audit_events that the models do not declare',
            table: 'audit_events',
            direction: 'extra',
          },
        ],
        declaredIn: { users: 'app/models.py' },
      },
      ['app/models.py'],
    )
    expect(r.findings.map((f) => f.severity)).toEqual(['error'])
    // And the difference is the PR's: it changed a model file.
    expect(r.drift.map((f) => f.severity)).toEqual(['error'])
  })

  it('turns the rule into a notice for a model file that declares no table (an API schema module)', () => {
    const r = scope({ items: [], declaredIn: { users: 'app/models.py' } }, ['app/api/models.py'])
    expect(r.findings).toEqual([
      expect.objectContaining({
        severity: 'notice',
        file: 'app/api/models.py',
        line: 3,
        message: expect.stringMatching(/it declares no table of the models env\.py compares/),
      }),
    ])
  })

  it("judges a difference by the table's declaring file, and by the PR's migrations naming the table", () => {
    const drift: ModelDrift = {
      items: [
        {
          message: 'models declare users.nickname (VARCHAR(50)); no migration creates it',
          table: 'users',
          column: 'nickname',
          direction: 'missing',
        },
        {
          message: 'models declare orders.total (INTEGER); no migration creates it',
          table: 'orders',
          column: 'total',
          direction: 'missing',
        },
      ],
      declaredIn: { users: 'app/users.py', orders: 'app/orders.py' },
    }
    const r = scope(drift, ['app/orders.py'], ['op.add_column("users_archive", ...)'])
    // users: its file untouched, and "users_archive" is not "users": pre-existing.
    expect(r.drift.map((f) => `${f.severity} ${f.preExisting ?? false}`)).toEqual(['error false', 'notice true'])
    expect(r.findings[0]?.severity).toBe('error') // orders.py's own table drifted
    const named = scope(drift, ['app/orders.py'], ['op.add_column("users", sa.Column("nickname", ...))'])
    expect(named.drift.every((f) => f.severity === 'error')).toBe(true)
  })
})
