// The CLI's terminal view over reports recorded from real runs (render-reports.ts): the same findings as the summary, colour only
// when asked (the CLI asks on a TTY), and no control character from user text reaching the terminal.
import { describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { renderTerminal } from '../../src/render/terminal.js'
import { recorded, repoRoot } from './render-reports.js'

const fail = recorded('enum-residue-stairway')
const pass = recorded('clean-stairway')
// A revision message carrying terminal escape sequences (clear screen, retitle the window).
const escapes = recorded('terminal-escapes')

describe('terminal renderer', () => {
  it('prints the verdict, every finding with file:line, revision, message and details, then the tally', () => {
    const out = renderTerminal(fail, { colour: false })
    const lines = out.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^migration-gate: FAIL \(alembic, stairway, 3 revisions, local PostgreSQL 15\.\d+\)$/)
    expect(lines[1]).toBe(
      // At `def downgrade()`: the downgrade is what leaves the residue. From the repository root: the
      // fixture is a folder of this repository, as a project in a monorepo would be.
      '  error    downgrade-residue  test/fixtures/alembic-enum-residue/alembic/versions/32c3ebc38184_create_feedback.py:39  (revision 32c3ebc38184)',
    )
    expect(renderTerminal({ ...fail, projectPath: '' }, { colour: false }).split('\n')[1]).toBe(
      '  error    downgrade-residue  alembic/versions/32c3ebc38184_create_feedback.py:39  (revision 32c3ebc38184)',
    )
    expect(lines[2]).toMatch(/^ {4}Downgrading 32c3ebc38184 \("create feedback"\) does not restore/)
    expect(lines).toContain('      - type mood (enum): present now, absent before')
    // Seconds with 2 decimals under 10 s, 1 above (a loaded machine can take that long).
    expect(lines.at(-1)).toMatch(/^1 error · \d+\.\d+ s \(static \d+\.\d+ s, postgres .*replay \d+\.\d+ s.*\)$/)
    expect(out).not.toContain('\x1b')
  })

  it('passes with no findings', () => {
    const out = renderTerminal(pass, { colour: false })
    expect(out).toMatch(/^migration-gate: PASS \(alembic, stairway, 6 revisions, local PostgreSQL/)
    expect(out).toMatch(/\nno findings · /)
  })

  it('colours severity and verdict only when asked', () => {
    const out = renderTerminal(fail, { colour: true })
    expect(out).toContain('\x1b[31mFAIL\x1b[0m')
    expect(out).toContain('\x1b[31merror  \x1b[0m')
    expect(out).toContain('\x1b[2m      - type mood (enum): present now, absent before\x1b[0m')
  })

  it('lets no control character from a revision message through, coloured or not', () => {
    for (const colour of [false, true]) {
      const out = renderTerminal(escapes, { colour })
      expect(out).toContain('multiple-heads')
      expect(out).toContain('one ?[2J?]0;owned? head')
      // Only the renderer's own SGR colour codes remain.
      expect(out.replace(/\x1b\[(\d+)m/g, '')).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/)
    }
  })
})

describe('the CLI colours only on a TTY', () => {
  // util-linux `script` gives the CLI a pseudo-terminal, as a user's shell does.
  const hasScript = existsSync('/usr/bin/script')
  const cli = `node --import tsx src/cli.ts check ${join('test', 'fixtures', 'alembic-chain-two-heads')} --mode static`
  const env = (extra: Record<string, string> = {}) => {
    const e: Record<string, string> = {}
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'NO_COLOR') e[k] = v
    return { ...e, ...extra }
  }
  const run = (command: string, args: string[], extra?: Record<string, string>) =>
    spawnSync(command, args, { cwd: repoRoot, env: env(extra), encoding: 'utf8', timeout: 60_000 }).stdout

  it('colours on a terminal, not with NO_COLOR', (ctx) => {
    if (!hasScript) {
      const reason = '/usr/bin/script (util-linux) is not installed, so there is no pseudo-terminal to run the CLI on'
      console.log(`terminal colour test skipped: ${reason}`)
      ctx.skip(reason)
    }
    expect(run('script', ['-qec', cli, '/dev/null'])).toContain('\x1b[31mFAIL\x1b[0m')
    expect(run('script', ['-qec', cli, '/dev/null'], { NO_COLOR: '1' })).not.toContain('\x1b[')
  })

  it('prints no escape codes into a pipe', () => {
    const out = run(process.execPath, [
      '--import',
      'tsx',
      'src/cli.ts',
      'check',
      'test/fixtures/alembic-chain-two-heads',
      '--mode',
      'static',
    ])
    expect(out).toMatch(/^migration-gate: FAIL \(alembic, static, 4 revisions\)/)
    expect(out).not.toContain('\x1b[')
  })
})
