// A downgrade that fails after part of it committed (an autocommit block): the stairway goes on
// from where the database really stands and says what stayed applied.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runGate } from '../../src/gate.js'
import { readConfig } from '../../src/inputs.js'
import { silentLogger } from '../../src/logger.js'
import { pythonWithAlembic } from '../support/python.js'

const project = mkdtempSync(join(tmpdir(), 'mg-partial-down-'))
afterAll(() => rmSync(project, { recursive: true, force: true }))

describe('a partly applied failed downgrade', () => {
  it('is reported with what stayed applied, and the stairway goes on', async () => {
    cpSync(join(import.meta.dirname, '..', 'fixtures', 'alembic-clean'), project, { recursive: true })
    const versions = join(project, 'alembic', 'versions')
    const file = join(versions, readdirSync(versions).find((f) => f.startsWith('2aa223e4e29e')) as string)
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        '    op.drop_index(op.f("ix_chats_last_message_at"), table_name="chats")\n',
        '    with op.get_context().autocommit_block():\n' +
          '        op.drop_index(op.f("ix_chats_last_message_at"), table_name="chats")\n' +
          '    op.execute("SELECT * FROM no_such_table")\n',
      ),
    )
    const python = await pythonWithAlembic()
    const config = readConfig(
      (n) => ({ 'working-directory': project, postgres: 'local', python, 'model-drift': 'false' })[n],
    )
    const r = await runGate(config, { logger: silentLogger })
    expect(r.findings.map((f) => `${f.id}@${f.revision}`)).toEqual(['downgrade-failed@2aa223e4e29e'])
    const details = r.findings[0]?.details ?? []
    expect(details).toContain('part of the failed downgrade stayed applied:')
    expect(
      details.some((d) => d.includes('ix_chats_last_message_at') && d.includes('absent now, present before')),
    ).toBe(true)
    // Later revisions were still replayed up, down and up.
    expect(r.steps.filter((s) => s.revision === 'bb86aaac9fb9' && s.ok)).toHaveLength(3)
  })
})
