// scripts/release-notes.mjs is what stops the release workflow before `npm publish`: a tag that is not
// package.json's version, or a version CHANGELOG.md has no entry for, must fail with one line naming
// it, and the real CHANGELOG.md must have the entry the release's body is made from.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'

const repo = join(import.meta.dirname, '..', '..')
const script = join(repo, 'scripts', 'release-notes.mjs')
const pkgVersion = (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string }).version

/** Runs the real script in `cwd` (where it reads CHANGELOG.md and package.json). */
const notes = (cwd: string, ...args: string[]) =>
  spawnSync(process.execPath, [script, ...args], { cwd, encoding: 'utf8' })

const temps: string[] = []
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A project directory holding only a package.json at `version` and the given changelog. */
function project(version: string, changelog: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'release-notes-'))
  temps.push(dir)
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'x', version }))
  writeFileSync(join(dir, 'CHANGELOG.md'), changelog)
  return dir
}

const changelog = [
  '# Changelog',
  '',
  '## [Unreleased]',
  '',
  '- not released yet',
  '',
  '## [1.2.0] - 2026-02-01',
  '',
  '### Fixed',
  '',
  '- the second release',
  '',
  '## [1.1.0] - 2026-01-01',
  '',
  '- the first release',
  '',
  '[Unreleased]: https://example.com/compare/v1.2.0...HEAD',
  '[1.2.0]: https://example.com/v1.2.0',
  '[1.1.0]: https://example.com/v1.1.0',
  '',
].join('\n')

describe('scripts/release-notes.mjs', () => {
  it("prints the real CHANGELOG.md's entry for package.json's version", () => {
    const r = notes(repo, `v${pkgVersion}`)
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    const changelogText = readFileSync(join(repo, 'CHANGELOG.md'), 'utf8')
    expect(changelogText).toContain('## [Unreleased]')
    // The entry's own text, not its heading, and not the next entry or the link definitions.
    expect(r.stdout).not.toContain(`## [${pkgVersion}]`)
    expect(r.stdout).not.toMatch(/^\[[^\]]+\]: /m)
    expect(r.stdout.trim().length).toBeGreaterThan(0)
    expect(changelogText).toContain(r.stdout.trim())
  })

  it('prints only the asked entry, from its heading to the next one, link definitions left out', () => {
    const dir = project('1.1.0', changelog)
    const r = notes(dir, 'v1.1.0')
    expect(r.status).toBe(0)
    expect(r.stdout).toBe('- the first release\n')
    const second = notes(project('1.2.0', changelog), '1.2.0')
    expect(second.status).toBe(0)
    expect(second.stdout).toBe('### Fixed\n\n- the second release\n')
  })

  it('fails naming the version when CHANGELOG.md has no entry for it', () => {
    const r = notes(project('1.3.0', changelog), 'v1.3.0')
    expect(r.status).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe(
      'release-notes: CHANGELOG.md has no entry for 1.3.0 (a "## [1.3.0]" heading with text under it)\n',
    )
  })

  it('fails on an entry with a heading and nothing under it (Unreleased not moved yet)', () => {
    const r = notes(project('1.3.0', '# Changelog\n\n## [1.3.0] - 2026-03-01\n\n## [1.2.0]\n\n- x\n'), 'v1.3.0')
    expect(r.status).toBe(1)
    expect(r.stderr).toContain('no entry for 1.3.0')
  })

  it("fails naming both versions when the tag is not package.json's version", () => {
    const r = notes(project('1.1.0', changelog), 'v1.2.0')
    expect(r.status).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe('release-notes: tag v1.2.0 does not match package.json version 1.1.0\n')
  })

  it('fails in one line on a tag that is not vX.Y.Z, on no tag, and on a missing CHANGELOG.md', () => {
    const dir = project('1.1.0', changelog)
    expect(notes(dir, 'v1.1').stderr).toBe('release-notes: "v1.1" is not a release tag of the form vX.Y.Z\n')
    expect(notes(dir).stderr).toBe('release-notes: usage: node scripts/release-notes.mjs vX.Y.Z\n')
    rmSync(join(dir, 'CHANGELOG.md'))
    const missing = notes(dir, 'v1.1.0')
    expect(missing.status).toBe(1)
    expect(missing.stderr).toBe('release-notes: cannot read CHANGELOG.md: ENOENT\n')
  })
})
