// The pure parts of the git phase: globs, the GitHub event, the choice of base, the exemption rule,
// git's name-status output.
import { describe, expect, it } from 'vitest'
import { chooseBase } from '../../src/git/base.js'
import { readGitHubContext, type GitHubEnvironment } from '../../src/github/context.js'
import { findExemption } from '../../src/git/exemption.js'
import { globMatcher, globToRegExp } from '../../src/git/glob.js'
import { parseNameStatus } from '../../src/git/repo.js'

describe('globs', () => {
  const cases: [string, string, boolean][] = [
    ['**/models.py', 'models.py', true],
    ['**/models.py', 'app/models.py', true],
    ['**/models.py', 'app/deep/models.py', true],
    ['**/models.py', 'app/models.pyc', false],
    ['**/models.py', 'app/old_models.py', false],
    ['**/models/**/*.py', 'app/models/user.py', true],
    ['**/models/**/*.py', 'models/a/b.py', true],
    ['**/models/**/*.py', 'app/models.py', false],
    ['svc/**/models.py', 'svc/x/models.py', true],
    ['svc/**/models.py', 'other/models.py', false],
    ['app/*.py', 'app/a.py', true],
    ['app/*.py', 'app/sub/a.py', false],
    ['db/migrations', 'db/migrations/0001_init.up.sql', true],
    ['db/migrations/', 'db/migrations/x/y.sql', true],
    ['db/migration', 'db/migrations/x.sql', false],
    ['app/{models,schema}.py', 'app/schema.py', true],
    ['app/?.py', 'app/a.py', true],
    ['app/?.py', 'app/ab.py', false],
    ['a.b/c+d.py', 'a.b/c+d.py', true],
    ['a.b/c+d.py', 'axb/c+d.py', false],
  ]
  it.each(cases)('%s ~ %s: %s', (glob, file, expected) => {
    expect(globToRegExp(glob).test(file)).toBe(expected)
  })
  it('a list matches when any glob does; empty entries match nothing', () => {
    const m = globMatcher(['', 'a/*.py', 'b/**'])
    expect(m('a/x.py')).toBe(true)
    expect(m('b/c/d')).toBe(true)
    expect(m('c/x.py')).toBe(false)
    expect(globMatcher([])('x')).toBe(false)
  })
})

function env(vars: Record<string, string>, payload?: unknown): GitHubEnvironment {
  return {
    env: { ...vars, ...(payload !== undefined ? { GITHUB_EVENT_PATH: '/e.json' } : {}) },
    readFile: () => (typeof payload === 'string' ? payload : JSON.stringify(payload)),
  }
}
const SHA = 'a'.repeat(40)
const SHA2 = 'b'.repeat(40)

describe('the GitHub event and the base', () => {
  it('pull_request: base sha, branch, labels and description', () => {
    const ctx = readGitHubContext(
      env(
        { GITHUB_EVENT_NAME: 'pull_request', GITHUB_BASE_REF: 'main' },
        {
          pull_request: {
            base: { sha: SHA, ref: 'develop' },
            labels: [{ name: 'x' }, { name: 'migration-gate:no-migration-needed' }, null, { id: 1 }],
            body: 'text',
          },
        },
      ),
    )
    expect(ctx).toEqual({
      event: 'pull_request',
      baseSha: SHA,
      baseBranch: 'develop',
      labels: ['x', 'migration-gate:no-migration-needed'],
      body: 'text',
    })
    expect(chooseBase(undefined, ctx)).toEqual({ ref: SHA, fetch: SHA, source: 'pull_request', label: 'develop' })
  })

  it('merge_group: the queue base, no labels', () => {
    const ctx = readGitHubContext(
      env({ GITHUB_EVENT_NAME: 'merge_group' }, { merge_group: { base_sha: SHA2, base_ref: 'refs/heads/main' } }),
    )
    expect(ctx).toMatchObject({ mergeGroup: true, baseSha: SHA2, baseBranch: 'main', labels: [] })
    expect(chooseBase(undefined, ctx)).toMatchObject({ ref: SHA2, source: 'merge_group', label: 'main' })
  })

  it('GITHUB_BASE_REF alone: origin/<branch>, fetched by branch', () => {
    const ctx = readGitHubContext(env({ GITHUB_BASE_REF: 'main' }))
    expect(chooseBase(undefined, ctx)).toEqual({
      ref: 'origin/main',
      fetch: 'main',
      source: 'GITHUB_BASE_REF',
      label: 'main',
    })
  })

  it('the base-ref input wins; a push or no environment gives no base', () => {
    const ctx = readGitHubContext(env({}, { pull_request: { base: { sha: SHA } } }))
    expect(chooseBase('origin/release', ctx)).toEqual({
      ref: 'origin/release',
      fetch: 'release',
      source: 'base-ref',
      label: 'origin/release',
    })
    expect(chooseBase(SHA2, ctx)).toMatchObject({ ref: SHA2, fetch: SHA2 })
    expect(chooseBase(undefined, readGitHubContext(env({ GITHUB_EVENT_NAME: 'push' }, { after: SHA })))).toBeUndefined()
    expect(chooseBase(undefined, undefined)).toBeUndefined()
  })

  it('a base-ref git would read as an option is refused, naming the input', () => {
    expect(() => chooseBase('--upload-pack=touch /tmp/x', undefined)).toThrow(
      'base-ref: "--upload-pack=touch /tmp/x" is not a branch, ref or commit name',
    )
    expect(() => chooseBase('main branch', undefined)).toThrow(/^base-ref: /)
  })

  it('an unreadable payload is a problem, not a crash', () => {
    const ctx = readGitHubContext(env({ GITHUB_BASE_REF: 'main' }, '{not json'))
    expect(ctx.problem).toMatch(/^cannot read the event payload \/e\.json: /)
    expect(chooseBase(undefined, ctx)?.source).toBe('GITHUB_BASE_REF')
  })

  it('a payload that is JSON but not an object (null, a number) is a problem, not a crash', () => {
    for (const payload of ['null', '42', '"text"', '[]']) {
      const ctx = readGitHubContext(env({ GITHUB_BASE_REF: 'main' }, payload))
      expect(ctx.problem).toBe(`cannot read the event payload /e.json: not a JSON object`)
      expect(chooseBase(undefined, ctx)?.source).toBe('GITHUB_BASE_REF')
    }
  })
})

describe('the no-migration exemption', () => {
  const label = 'migration-gate:no-migration-needed'
  const commit = (message: string) => ({ sha: 'c'.repeat(40), message })

  it('a commit line with a reason, anywhere in the message, key case-insensitive', () => {
    expect(
      findExemption({
        commits: [commit('subject\n\nbody\nmigration-gate-no-migration:  only a comment \n')],
        labels: [],
        label,
      }),
    ).toEqual({ exemption: { reason: 'only a comment', source: `commit ${'c'.repeat(12)}` } })
  })

  it('the label with the description line; each alone gives a hint', () => {
    const body = 'Why:\nMigration-Gate-No-Migration: relationship only'
    expect(findExemption({ commits: [], labels: [label], body, label })).toEqual({
      exemption: { reason: 'relationship only', source: `label "${label}" and the PR description` },
    })
    expect(findExemption({ commits: [], labels: [label], label })).toMatchObject({
      hint: expect.stringContaining('gives no reason'),
    })
    expect(findExemption({ commits: [], labels: [], body, label })).toMatchObject({
      hint: expect.stringContaining('is not set'),
    })
    expect(findExemption({ commits: [], labels: ['other'], label })).toEqual({})
  })

  it('an empty reason does not count', () => {
    expect(
      findExemption({ commits: [commit('x\n\nMigration-Gate-No-Migration:   ')], labels: [], label }),
    ).toMatchObject({
      hint: expect.stringContaining('has no reason'),
    })
    expect(findExemption({ commits: [], labels: [label], body: 'Migration-Gate-No-Migration:', label })).toMatchObject({
      hint: expect.stringContaining('gives no reason'),
    })
  })
})

describe('git diff --name-status -z', () => {
  it('reads statuses, renames with similarity, copies as additions', () => {
    const out = [
      'M',
      'a.py',
      'A',
      'b.py',
      'D',
      'c.py',
      'R100',
      'd.py',
      'e.py',
      'R087',
      'f.py',
      'g.py',
      'C100',
      'h.py',
      'i.py',
      'T',
      'j',
      '',
    ].join('\0')
    expect(parseNameStatus(out)).toEqual([
      { status: 'M', path: 'a.py' },
      { status: 'A', path: 'b.py' },
      { status: 'D', path: 'c.py' },
      { status: 'R', path: 'e.py', oldPath: 'd.py', similarity: 100 },
      { status: 'R', path: 'g.py', oldPath: 'f.py', similarity: 87 },
      { status: 'A', path: 'i.py' },
      { status: 'M', path: 'j' },
    ])
  })
})
