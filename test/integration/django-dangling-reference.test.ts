// A migration whose state refers to a model of another app without depending on the migration that
// creates it (DjangoGirls' core.0032, moving Sponsor to its own app): `migrate` from an empty
// database gets through in one run, but from a database stopped after it Django cannot build the
// state and stops before applying anything. The replay, one migration per step, meets that at the
// next migration, which is innocent: the finding points at the migration that left the state, and
// its fix says what to change. On Debian's Django 3.2 and on a current Django (5.x).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { newerDjangoPython } from '../support/newer-django.js'
import { pythonWithDjango } from '../support/python.js'
import { FIXTURES, gateOnFixture } from '../support/run-gate.js'

const CULPRIT = 'events/migrations/0002_move_sponsor.py'
const classLine =
  readFileSync(join(FIXTURES, 'django-dangling-reference', CULPRIT), 'utf8')
    .split('\n')
    .findIndex((l) => l.startsWith('class Migration')) + 1

async function check(python: string, mode: string): Promise<void> {
  const report = await gateOnFixture('django-dangling-reference', { tool: 'django', python, lint: 'off', mode })
  const failed = report.findings.filter((f) => f.id === 'upgrade-failed')
  expect(failed).toHaveLength(1)
  const [f] = failed
  // The step that met it, as before; the place and the fix name the migration that caused it.
  expect(f!.revision).toBe('events.0003_event_city')
  expect(f!.message).toContain("lazy reference to 'sponsors.sponsor'")
  expect(f!.file).toBe(CULPRIT)
  expect(f!.line).toBe(classLine)
  expect(f!.fix).toContain('events.0002_move_sponsor')
  expect(f!.fix).toContain('sponsors.sponsor')
  expect(f!.fix).toContain('depends on the migration that creates it')
}

describe("django-dangling-reference on Debian's Django 3.2", () => {
  it.each(['stairway', 'roundtrip'])(
    '%s: the upgrade that meets the state is blamed on the migration that left it',
    async (mode) => {
      await check(await pythonWithDjango(), mode)
    },
  )
})

const newer = newerDjangoPython()
if ('skip' in newer) console.warn(`django-dangling-reference on a current Django skipped: ${newer.skip}`)

describe.skipIf('skip' in newer)(
  `django-dangling-reference on a current Django (${'versions' in newer ? newer.versions : 'absent'})`,
  () => {
    it('stairway: the same', async () => {
      await check('python' in newer ? newer.python : '', 'stairway')
    })
  },
)
