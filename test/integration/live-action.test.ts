// mode live through the action's entry (src/main.ts) as the runner starts it: the live URL from the
// variable live-database-url-env names, masked with ::add-mask:: before anything else is printed and
// in no other line, the outputs live-revision and pending, and the job summary's live section.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Server } from '../../src/postgres/provider.js'
import { FIXTURES, productionAt } from '../support/live.js'
import { pythonWithAlembic } from '../support/python.js'
import { startTestServer } from '../support/server.js'

const root = join(import.meta.dirname, '..', '..')
const tsxLoader = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href
const scratch = mkdtempSync(join(tmpdir(), 'mg-live-action-'))
let server: Server
beforeAll(async () => {
  server = await startTestServer()
}, 60_000)
afterAll(async () => {
  await server?.stop()
  rmSync(scratch, { recursive: true, force: true })
})

/** The runner's `name<<delimiter` file format (GITHUB_OUTPUT). */
function outputsOf(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const m of text.matchAll(/^(.+?)<<(ghadelimiter_[^\n]+)\n([\s\S]*?)\n\2$/gm)) out[m[1]!] = m[3]!
  return out
}

describe('mode live in the action', () => {
  it('masks the live password, sets live-revision and pending, and writes the live section of the summary', async () => {
    const db = await productionAt(server, join(FIXTURES, 'alembic-clean'), 'e6777887bdf6')
    const password = new URL(db.url).password
    expect(password.length).toBeGreaterThanOrEqual(8)
    const files = {
      summary: join(scratch, 'summary.md'),
      output: join(scratch, 'output'),
      state: join(scratch, 'state'),
    }
    for (const f of Object.values(files)) writeFileSync(f, '')
    const env: Record<string, string> = {}
    for (const [k, v] of Object.entries(process.env)) {
      if (v !== undefined && !/^(GITHUB_|RUNNER_|INPUT_|STATE_|ACTIONS_)/.test(k)) env[k] = v
    }
    Object.assign(env, {
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: root,
      GITHUB_STEP_SUMMARY: files.summary,
      GITHUB_OUTPUT: files.output,
      GITHUB_STATE: files.state,
      RUNNER_TEMP: scratch,
      PRODUCTION_DATABASE_URL: db.url,
      'INPUT_WORKING-DIRECTORY': join(FIXTURES, 'alembic-clean'),
      INPUT_MODE: 'live',
      'INPUT_LIVE-DATABASE-URL-ENV': 'PRODUCTION_DATABASE_URL',
      INPUT_PYTHON: await pythonWithAlembic(),
    })
    const r = spawnSync(process.execPath, ['--import', tsxLoader, join(root, 'src', 'main.ts')], {
      cwd: root,
      env,
      encoding: 'utf8',
      timeout: 110_000,
    })
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    const lines = r.stdout.split('\n')
    // Masked first, then never printed again.
    expect(lines.findIndex((l) => l === `::add-mask::${password}`)).toBe(0)
    expect(lines.filter((l) => l.includes(password))).toHaveLength(1)
    const outputs = outputsOf(readFileSync(files.output, 'utf8'))
    expect(outputs['live-revision']).toBe('e6777887bdf6')
    expect(outputs.pending).toBe('bb86aaac9fb9')
    expect(outputs.result).toBe('pass')
    const summary = readFileSync(files.summary, 'utf8')
    expect(summary).toContain('### Live database')
    expect(summary).toContain('1 revision behind')
    expect(summary).not.toContain(password)
  }, 120_000)
})
