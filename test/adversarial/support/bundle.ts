// The CLI as users get it: src bundled by scripts/bundle.mjs, run as `node cli.js`. The bundle is
// built into a private directory (src and node_modules linked in), so the suite tests the source as
// it is now and never rewrites the committed dist/ that other test files and CI's check compare.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const REPO = join(import.meta.dirname, '..', '..', '..')

export interface Bundle {
  /** dist/cli.js of the private build. */
  cli: string
  remove: () => void
}

export function bundleCli(): Bundle {
  const dir = mkdtempSync(join(tmpdir(), 'mg-adversarial-bundle-'))
  // node_modules too: the embedded provider finds its binaries from the bundle's own location.
  for (const name of ['src', 'node_modules']) symlinkSync(join(REPO, name), join(dir, name))
  const r = spawnSync(process.execPath, [join(REPO, 'scripts', 'bundle.mjs')], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 120_000,
  })
  const cli = join(dir, 'dist', 'cli.js')
  if (r.status !== 0 || !existsSync(cli)) {
    rmSync(dir, { recursive: true, force: true })
    throw new Error(`scripts/bundle.mjs failed (${r.status ?? r.signal}): ${r.stderr || r.stdout}`)
  }
  return { cli, remove: () => rmSync(dir, { recursive: true, force: true }) }
}
