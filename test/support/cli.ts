// The CLI as a user runs it (node + tsx on src/cli.ts), for tests that need the real process: its
// exit code, stdout and stderr as a user sees them.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..', '..')

export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli.ts'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env },
    timeout: 120_000,
  })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** The last line of stderr: a usage or infrastructure error is exactly one line. */
export const lastLine = (stderr: string) => stderr.trim().split('\n').at(-1) ?? ''
