// A Django project whose primary keys moved from AutoField to BigAutoField (the migration Django 3.2's
// DEFAULT_AUTO_FIELD warning leads every project to), with a foreign key to one of them: Django drops
// that foreign key and creates it again under a new name, on the way up and on the way down, so the
// downgrade leaves the same constraint under another name. The residue says so, and its fix renames
// it back: dropping it (what it said before) would have removed the foreign key.
// On Debian's Django 3.2 and on a current Django (5.x): 3.2 also leaves the sequences bigint.
import { describe, expect, it } from 'vitest'
import type { Finding } from '../../src/report.js'
import { newerDjangoPython } from '../support/newer-django.js'
import { pythonWithDjango } from '../support/python.js'
import { gateOnFixture } from '../support/run-gate.js'

const RENAMED =
  'constraint library_book_author_id_d9a3b67e_fk on library_book: name library_book_author_id_d9a3b67e_fk now, library_book_author_id_d9a3b67e_fk_library_author_id before'
const RENAME_BACK =
  '`ALTER TABLE library_book RENAME CONSTRAINT library_book_author_id_d9a3b67e_fk TO library_book_author_id_d9a3b67e_fk_library_author_id`'

async function residue(python: string): Promise<{ found: Finding[]; all: Finding[] }> {
  const report = await gateOnFixture('django-bigautofield', { tool: 'django', python, lint: 'off', mode: 'stairway' })
  return { found: report.findings.filter((f) => f.id === 'downgrade-residue'), all: report.findings }
}

describe("django-bigautofield on Debian's Django 3.2", () => {
  it('the foreign key renamed by the downgrade is one rename, fixed by renaming it back; the bigint sequences stay an error', async () => {
    const { found } = await residue(await pythonWithDjango())
    expect(found).toHaveLength(1)
    const [f] = found
    expect(f!.revision).toBe('library.0002_bigautofield')
    expect(f!.severity).toBe('error')
    expect(f!.details).toContain(RENAMED)
    expect(f!.details).toContain('sequence library_author_id_seq: type bigint now, integer before')
    expect(f!.fix).toContain(RENAME_BACK)
    expect(f!.fix).not.toContain('DROP CONSTRAINT')
  })
})

const newer = newerDjangoPython()
if ('skip' in newer) console.warn(`django-bigautofield on a current Django skipped: ${newer.skip}`)

describe.skipIf('skip' in newer)(
  `django-bigautofield on a current Django (${'versions' in newer ? newer.versions : 'absent'})`,
  () => {
    it('a downgrade that leaves nothing but a renamed constraint is a warning: the gate passes', async () => {
      const { found, all } = await residue('python' in newer ? newer.python : '')
      expect(found).toHaveLength(1)
      const [f] = found
      expect(f!.severity).toBe('warning')
      expect(f!.details).toEqual([RENAMED])
      expect(f!.fix).toContain(RENAME_BACK)
      expect(f!.message).toContain(
        'differs only in the names of 1 constraint, each the same constraint under another name',
      )
      expect(all.filter((x) => x.severity === 'error')).toEqual([])
    })
  },
)
