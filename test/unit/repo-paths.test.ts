// Messages name files from the repository root when the project is a subfolder, whole paths only.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { withRepositoryPaths } from '../../src/checks/repo-paths.js'
import { projectPathInRepository } from '../../src/git/root.js'
import type { Finding } from '../../src/report.js'

const finding = (message: string, details?: string[]): Finding => ({
  id: 'multiple-heads',
  severity: 'error',
  message,
  file: 'migrations/versions/b2.py',
  ...(details ? { details } : {}),
})

describe('withRepositoryPaths', () => {
  it('prefixes every whole known path in messages and details, and nothing else', () => {
    const files = ['migrations/versions/b2.py', 'models.py']
    const [f] = withRepositoryPaths(
      [
        finding(
          'set down_revision in migrations/versions/b2.py (line 14) to a1. `models.py` changed; **/models.py and my_models.py stay.',
          ['b2 (migrations/versions/b2.py:14) -> a1'],
        ),
      ],
      'backend',
      files,
    )
    expect(f?.message).toBe(
      'set down_revision in backend/migrations/versions/b2.py (line 14) to a1. `backend/models.py` changed; **/models.py and my_models.py stay.',
    )
    expect(f?.details).toEqual(['b2 (backend/migrations/versions/b2.py:14) -> a1'])
    expect(f?.file).toBe('migrations/versions/b2.py') // the report contract: relative to the project
    expect(withRepositoryPaths([finding('in models.py.')], '', files)[0]?.message).toBe('in models.py.')
  })
})

describe('projectPathInRepository', () => {
  it('is the path from the nearest directory holding .git, empty at the root, undefined outside', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mg-root-'))
    try {
      mkdirSync(join(dir, 'repo', '.git'), { recursive: true })
      mkdirSync(join(dir, 'repo', 'services', 'api'), { recursive: true })
      expect(projectPathInRepository(join(dir, 'repo', 'services', 'api'))).toBe('services/api')
      expect(projectPathInRepository(join(dir, 'repo'))).toBe('')
      expect(projectPathInRepository(dir)).toBeUndefined()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
