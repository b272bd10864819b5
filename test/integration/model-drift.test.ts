// model-drift over real projects: Alembic's comparison between env.py's target_metadata and a
// database the migrations built, through the Python helper, on a real PostgreSQL.
import { describe, expect, it } from 'vitest'
import { gateOnFixture } from '../support/run-gate.js'

const gate = gateOnFixture

describe('model-drift', () => {
  it('names each difference by table, column and type, at the model line', async () => {
    const r = await gate('alembic-drift')
    const drift = r.findings.filter((f) => f.id === 'model-drift')
    const messages = drift.map((f) => f.message)
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^models declare pdfs\.processing_started_at \(TIMESTAMP WITH TIME ZONE\); no migration creates it\./,
        ),
        expect.stringMatching(
          /^column pdfs\.filename: models declare VARCHAR\(300\), migrations build VARCHAR\(255\)\./,
        ),
        expect.stringMatching(
          /^migrations create index ix_chats_last_message_at on chats \(last_message_at\) that the models do not declare\./,
        ),
        expect.stringMatching(/^models declare table audit_events; no migration creates it\./),
      ]),
    )
    expect(drift).toHaveLength(4)
    const incident = drift.find((f) => f.message.includes('processing_started_at'))
    expect(incident).toMatchObject({ severity: 'error', file: 'models.py' })
    expect(incident?.line).toBeGreaterThan(0)
    expect(r.result).toBe('fail')
    // The replay itself is clean: drift is the only problem here.
    expect(r.findings.every((f) => f.id === 'model-drift')).toBe(true)
    expect(r.timings.phases.drift).toBeGreaterThanOrEqual(0)
  })

  it('catches the production incident: a model column no migration creates', async () => {
    const r = await gate('alembic-incident-processing-started-at')
    expect(r.findings).toHaveLength(1)
    expect(r.findings[0]).toMatchObject({
      id: 'model-drift',
      severity: 'error',
      file: 'models.py',
      message: expect.stringMatching(
        /^models declare pdfs\.processing_started_at \(TIMESTAMP[^)]*\); no migration creates it\./,
      ),
    })
    expect(r.result).toBe('fail')
  })

  it('stays silent where models and migrations agree, and can be switched off', async () => {
    expect((await gate('alembic-clean')).findings).toEqual([])
    const off = await gate('alembic-drift', { 'model-drift': 'false' })
    expect(off.findings).toEqual([])
    expect(off.timings.phases.drift).toBeUndefined()
  })

  it('runs in roundtrip mode too, once the database stands at head', async () => {
    const r = await gate('alembic-drift', { mode: 'roundtrip' })
    expect(r.findings.filter((f) => f.id === 'model-drift')).toHaveLength(4)
  })

  it('does not run where the replay never reaches head', async () => {
    const r = await gate('alembic-upgrade-fails')
    expect(r.findings.map((f) => f.id)).toEqual(['upgrade-failed'])
    expect(r.timings.phases.drift).toBeUndefined()
  })
})

describe('model-drift on real applications', () => {
  it('finds drift in models beside module-level Flask proxies and lazy objects that raise on access', async () => {
    const r = await gate('alembic-drift-proxy')
    expect(r.findings).toHaveLength(1)
    expect(r.findings[0]).toMatchObject({
      id: 'model-drift',
      severity: 'error',
      file: 'models.py',
      message: expect.stringMatching(
        /^models declare index ix_chats_last_message_at on chats \(last_message_at\); no migration creates it\./,
      ),
    })
    // At the column's line in the Chat class, found without touching the proxies.
    expect(r.findings[0]?.line).toBe(32)
    expect(r.result).toBe('fail')
  })

  it('fails, saying how to fix it or turn it off, when the comparison cannot run', async () => {
    const r = await gate('alembic-drift-uncomparable')
    expect(r.findings).toHaveLength(1)
    const f = r.findings[0]
    expect(f).toMatchObject({ id: 'model-drift', severity: 'error' })
    expect(f?.message).toMatch(/could not be compared/)
    expect(f?.message).toMatch(/\(alembic\/env\.py:\d+\): KeyError: 'MIGRATION_EXCLUDE_TABLES'/)
    expect(f?.fix).toMatch(/model-drift: false/)
    expect(r.result).toBe('fail')
    // Turned off, the same project passes: the replay itself is clean.
    expect((await gate('alembic-drift-uncomparable', { 'model-drift': 'false' })).result).toBe('pass')
  })
})
