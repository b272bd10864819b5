// working-directory as a list (project-dirs.ts), on real directories: lines and globs expanded from
// the current directory, directories only, sorted and without repeats; a glob matching nothing or a
// directory that is not there is an error naming it; one plain line is returned as it always was.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { projectDirs } from '../../src/project-dirs.js'

const root = mkdtempSync(join(tmpdir(), 'mg-project-dirs-'))
for (const d of ['services/api', 'services/billing', 'services/.hidden', 'services/node_modules/x', 'apps/web/db'])
  mkdirSync(join(root, d), { recursive: true })
writeFileSync(join(root, 'services', 'README.md'), 'not a project')
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('projectDirs', () => {
  it('keeps one plain line as the single directory it always was, existing or not', () => {
    expect(projectDirs('services/api', root)).toEqual([join(root, 'services/api')])
    expect(projectDirs('  nope  ', root)).toEqual([join(root, 'nope')])
    expect(projectDirs('', root)).toEqual([root])
  })

  it('expands globs to directories only, sorted, without repeats, hidden ones and node_modules left out', () => {
    expect(projectDirs('services/*\nservices/api\n\nservices/api', root)).toEqual([
      join(root, 'services/api'),
      join(root, 'services/billing'),
    ])
    expect(projectDirs('{apps,services}/*', root)).toEqual([
      join(root, 'apps/web'),
      join(root, 'services/api'),
      join(root, 'services/billing'),
    ])
    expect(projectDirs('**/db', root)).toEqual([join(root, 'apps/web/db')])
    expect(projectDirs(join(root, 'services', 'b*'), '/')).toEqual([join(root, 'services/billing')])
  })

  it('names the line that matches nothing or is not a directory', () => {
    expect(() => projectDirs('services/*\nlibs/*', root)).toThrow('working-directory: libs/* matches no directory')
    expect(() => projectDirs('services/api\nservices/nope', root)).toThrow(
      'working-directory: services/nope is not a directory',
    )
    expect(() => projectDirs('services/api\nservices/README.md', root)).toThrow(
      'working-directory: services/README.md is not a directory',
    )
    expect(() => projectDirs('services/README*', root)).toThrow(
      'working-directory: services/README* matches no directory',
    )
  })
})
