// A monorepo: an Alembic project and a golang-migrate project side by side in one git repository,
// judged in one run on one real PostgreSQL server (local binaries) with real Alembic. Each project
// gets its own tool and findings; the server is started once and nothing of it outlives the run; a
// directory that is not there, or a glob that matches none, is a one-line error (exit 2).
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readConfig } from '../../src/inputs.js'
import { runProjects } from '../../src/projects.js'
import { isProjectError, type GateReport } from '../../src/report.js'
import { scratchDir, TestRepo } from '../support/git.js'
import { clusterDirsOf } from '../support/leftovers.js'
import { pythonWithAlembic } from '../support/python.js'

const root = join(import.meta.dirname, '..', '..')
// tsx by path: the CLI runs in the workspace, where `--import tsx` would not resolve.
const tsxLoader = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href
const scratch = scratchDir('mg-monorepo-test-')
afterAll(() => scratch.remove())

/** services/api: Alembic, clean; services/billing: golang-migrate whose downgrade leaves an index. */
function workspace(name: string): string {
  const repo = TestRepo.init(join(scratch.dir, name))
    .copyFixture('alembic-clean', 'services/api')
    .copyFixture('sql-golang-residue', 'services/billing')
  repo.git('add', '-A')
  repo.git('commit', '-q', '-m', 'two projects')
  return repo.dir
}

function cli(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', tsxLoader, join(root, 'src', 'cli.ts'), 'check', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 120_000,
  })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, last: r.stderr.trim().split('\n').at(-1) ?? '' }
}

describe('a monorepo run', () => {
  let python: string
  beforeAll(async () => {
    python = await pythonWithAlembic()
  })

  it('judges each project with its own tool and findings, on one server started once', async () => {
    const dir = workspace('judged')
    const logs: string[] = []
    const log = (m: string) => logs.push(m)
    const inputs: Record<string, string> = {
      'working-directory': join(dir, 'services/*'),
      postgres: 'local',
      python,
    }
    const config = readConfig((n) => inputs[n])
    expect(config.projectDirs).toEqual([join(dir, 'services/api'), join(dir, 'services/billing')])
    const run = await runProjects(
      { ...config, projectDirs: config.projectDirs! },
      { logger: { info: log, warn: log, debug: () => {} }, rootDir: dir },
    )
    // One server for both projects: started once, said once, and gone after the run.
    expect(run.sharedServers).toBe(1)
    expect(logs.filter((l) => /^postgres: local PostgreSQL \S+ ready in/.test(l))).toHaveLength(1)
    expect(clusterDirsOf(process.pid)).toEqual([])

    const [api, billing] = run.report.projects as GateReport[]
    expect([api?.tool, api?.result, api?.projectPath]).toEqual(['alembic', 'pass', 'services/api'])
    expect([billing?.tool, billing?.result, billing?.projectPath]).toEqual([
      'golang-migrate',
      'fail',
      'services/billing',
    ])
    // Both replayed on the server the run shared.
    expect(api?.postgres?.provider).toBe('local')
    expect(billing?.steps.length).toBeGreaterThan(0)
    expect(api?.findings).toEqual([])
    expect(billing?.findings.map((f) => [f.id, f.file])).toEqual([
      ['downgrade-residue', 'migrations/0002_archive_chats.down.sql'],
    ])
    expect(run.report.findings.map((f) => [f.id, f.projectDir])).toEqual([
      ['downgrade-residue', join(dir, 'services/billing')],
    ])
    expect(run.report.result).toBe('fail')
    expect(run.exitCode).toBe(1)
  })

  it('a project whose migrations create roles replays on a server of its own, the others on the shared one', async () => {
    const repo = TestRepo.init(join(scratch.dir, 'roles'))
      .copyFixture('sql-golang-roles', 'a-roles')
      .copyFixture('sql-golang-residue', 'b-billing')
      .copyFixture('alembic-clean', 'c-api')
    const logs: string[] = []
    const log = (m: string) => logs.push(m)
    const inputs: Record<string, string> = { 'working-directory': join(repo.dir, '*'), postgres: 'local', python }
    const config = readConfig((n) => inputs[n])
    const run = await runProjects(
      { ...config, projectDirs: config.projectDirs! },
      { logger: { info: log, warn: log, debug: () => {} }, rootDir: repo.dir },
    )
    // The shared server, and the roles project's own: two starts for three projects.
    expect(run.sharedServers).toBe(1)
    expect(logs.filter((l) => /^postgres: local PostgreSQL \S+ ready in/.test(l))).toHaveLength(2)
    expect(clusterDirsOf(process.pid)).toEqual([])
    const [roles, billing, api] = run.report.projects as GateReport[]
    expect(roles?.notes).toContainEqual(
      expect.stringContaining('this project was replayed on a PostgreSQL server of its own'),
    )
    expect(roles?.result).toBe('pass')
    expect(billing?.notes.join('\n')).not.toContain('server of its own')
    expect(billing?.findings.map((f) => f.id)).toEqual(['downgrade-residue'])
    expect(api?.result).toBe('pass')
  })

  it('CLI: one block per project, one verdict, globs from the current directory; an unjudgeable project is exit 2 and the others still judged', () => {
    const dir = workspace('cli')
    const pass = cli(dir, 'services/*', '--mode', 'static')
    expect(pass.code).toBe(0)
    expect(pass.stdout).toMatch(/^services\/api: PASS \(alembic, static, 6 revisions\)$/m)
    expect(pass.stdout).toMatch(/^services\/billing: PASS \(golang-migrate, static, 3 revisions\)$/m)
    expect(pass.stdout.trimEnd().split('\n').at(-1)).toMatch(
      /^migration-gate: PASS \(2 projects: 2 passed\) · [\d.]+ s$/,
    )

    // A directory holding no project: reported for it; the others are judged all the same.
    const broken = cli(dir, 'services/api', 'services', 'services/billing', '--mode', 'static')
    expect(broken.code).toBe(2)
    expect(broken.stdout).toMatch(
      /^services: ERROR \(not judged\)\n {2}working-directory: no migration project found in /m,
    )
    expect(broken.stdout).toMatch(/^services\/api: PASS/m)
    expect(broken.stdout).toMatch(/^services\/billing: PASS/m)
    expect(broken.stdout.trimEnd().split('\n').at(-1)).toMatch(
      /^migration-gate: FAIL \(3 projects: 1 not judged, 2 passed\)/,
    )
  })

  it('a missing directory or a glob matching none is a one-line error naming it (exit 2)', () => {
    const dir = workspace('missing')
    const missing = cli(dir, 'services/api', 'services/nope', '--mode', 'static')
    expect([missing.code, missing.last]).toEqual([
      2,
      'migration-gate: working-directory: services/nope is not a directory',
    ])
    expect(missing.stdout).toBe('')
    const none = cli(dir, 'apps/*', 'services/api', '--mode', 'static')
    expect([none.code, none.last]).toEqual([2, 'migration-gate: working-directory: apps/* matches no directory'])
    expect(none.stdout).toBe('')
  })

  it('one directory (a glob matching one) is the single-project run and report it always was', () => {
    const dir = workspace('single')
    const one = cli(dir, 'services/bil*', '--mode', 'static', '--report-json', 'r.json')
    expect(one.code).toBe(0)
    expect(one.stdout).toMatch(/^migration-gate: PASS \(golang-migrate, static, 3 revisions\)$/m)
    const report = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as GateReport
    expect(report.tool).toBe('golang-migrate')
    expect('projects' in report).toBe(false)
    expect(isProjectError(report)).toBe(false)
  })
})
