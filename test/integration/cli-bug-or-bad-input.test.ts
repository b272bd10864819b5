// A bug in the gate is told apart from bad input and a broken machine: exit 3 and one line saying it is a bug (the stack
// only under --verbose), while a usage error keeps exit 2 and its one line naming the input. The bug
// is a real TypeError thrown by the gate's own code, injected by a preload that only tests load.
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
// @ts-expect-error plain JavaScript preload without type declarations
import { INJECTED_BUG_DIR } from '../support/inject-bug.mjs'

const root = join(import.meta.dirname, '..', '..')
const injectBug = join(root, 'test', 'support', 'inject-bug.mjs')
const scratch = mkdtempSync(join(tmpdir(), 'mg-cli-bug-test-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))
const buggy = join(scratch, INJECTED_BUG_DIR as string)
mkdirSync(buggy)

function cli(preload: string[], args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', ...preload, join(root, 'src', 'cli.ts'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', MIGRATION_GATE_DEBUG: '', ...env },
    timeout: 120_000,
  })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

const STACK_FRAME = /\n\s+at /
/** The verdict line: before it, the run may log what it found (the interpreter, for one). */
const lastLine = (stderr: string) => stderr.trim().split('\n').at(-1) ?? ''
const BUG_LINE =
  /^migration-gate: internal error \(a bug in migration-gate, not in your input\): TypeError: .*isDirectory is not a function; please report it to the maintainers with the output of --verbose$/

describe('CLI: a bug in the gate is not a usage error', () => {
  it('exits 3 with one line saying it is a bug, and no stack', () => {
    const r = cli(['--import', injectBug], ['check', buggy, '--mode', 'static'])
    expect(r.code, r.stderr).toBe(3)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr.trim()).toMatch(BUG_LINE)
    expect(r.stderr).not.toMatch(STACK_FRAME)
  })

  it('--verbose adds the stack, and the bug line stays the last line', () => {
    const r = cli(['--import', injectBug], ['check', buggy, '--mode', 'static', '--verbose'])
    expect(r.code, r.stderr).toBe(3)
    expect(r.stderr).toMatch(/TypeError: .*isDirectory is not a function\n(\s+at .*\n)*?\s+at .*gate\.ts/)
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(BUG_LINE)
  })

  it('a usage error still exits 2 with its one line and no stack, even under --verbose', () => {
    const r = cli(['--import', injectBug], ['check', buggy, '--mode', 'sideways', '--verbose'])
    expect(r.code, r.stderr).toBe(2)
    expect(r.stderr.trim()).toBe(
      'migration-gate: mode: unknown value "sideways" (allowed: static, roundtrip, stairway, live)',
    )
  })

  it('without the injected bug the same directory is bad input, exit 2 naming it', () => {
    // The preload alone is what makes the run above a bug: the directory itself is an empty one.
    const r = cli([], ['check', buggy, '--mode', 'static'])
    expect(r.code, r.stderr).toBe(2)
    expect(r.stderr.trim()).toMatch(/^migration-gate: working-directory: no migration project found/)
  })
})

/**
 * Server binaries that answer `postgres --version` (so pg-bin accepts them) but fail as the scripts
 * say. Under the system temp dir with mode 755: as root the server user runs them.
 */
function fakePgBin(initdb: string, postgres: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'mg-cli-fake-bin-'))
  chmodSync(dir, 0o755)
  const version = 'if [ "$1" = --version ]; then echo "postgres (PostgreSQL) 15.99"; exit 0; fi\n'
  writeFileSync(join(dir, 'postgres'), `#!/bin/sh\n${version}${postgres}\n`, { mode: 0o755 })
  writeFileSync(join(dir, 'initdb'), `#!/bin/sh\n${version}${initdb}\n`, { mode: 0o755 })
  return dir
}

describe('CLI: a PostgreSQL that cannot start is an infrastructure error, not a bug', () => {
  const project = join(root, 'test', 'fixtures', 'alembic-clean')
  const fakes: string[] = []
  afterAll(() => fakes.forEach((dir) => rmSync(dir, { recursive: true, force: true })))

  it('an initdb that fails: exit 2, one line naming the provider', () => {
    const pgBin = fakePgBin('echo "initdb: simulated failure" >&2; exit 1', 'exit 1')
    fakes.push(pgBin)
    const r = cli([], ['check', project, '--postgres', 'local', '--pg-bin', pgBin])
    expect(r.code, r.stderr).toBe(2)
    expect(lastLine(r.stderr)).toBe('migration-gate: postgres: local: initdb failed: initdb: simulated failure')
    expect(r.stderr).not.toMatch(STACK_FRAME)
  })

  it('a server that exits at start: exit 2, one line with what it said', () => {
    const pgBin = fakePgBin('exit 0', 'echo "FATAL:  simulated start failure"; exit 1')
    fakes.push(pgBin)
    const r = cli([], ['check', project, '--postgres', 'local', '--pg-bin', pgBin])
    expect(r.code, r.stderr).toBe(2)
    expect(lastLine(r.stderr)).toMatch(
      /^migration-gate: postgres: local: postgres did not start: .*FATAL: {2}simulated start failure$/,
    )
    expect(r.stderr).not.toMatch(STACK_FRAME)
  })
})
