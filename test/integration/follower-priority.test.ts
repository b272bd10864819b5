// A database built ahead of need (replay-follower.ts) works at a low CPU priority, so the stairway's own
// processes get the cores first, and back at the normal one once a rebuild takes it. The session's
// helper process is read from /proc: real Alembic, real PostgreSQL.
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDriver } from '../../src/drivers/detect.js'
import { BACKGROUND_NICE } from '../../src/drivers/helper-process.js'
import { readConfig } from '../../src/inputs.js'
import { silentLogger } from '../../src/logger.js'
import type { Server } from '../../src/postgres/provider.js'
import { ResourceTracker } from '../../src/resource-tracker.js'
import { pythonWithAlembic } from '../support/python.js'
import { FIXTURES } from '../support/run-gate.js'
import { startTestServer } from '../support/server.js'

const resources = new ResourceTracker()
let server: Server
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server?.stop()
})

/** Nice values of the live processes whose command line contains every one of `markers`. */
function nicesOf(...markers: string[]): number[] {
  const found: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ')
      if (!markers.every((m) => cmdline.includes(m))) continue
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      // Fields after the command's closing parenthesis: state is the 3rd of stat, nice the 19th.
      found.push(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]))
    } catch {
      // gone while we looked
    }
  }
  return found
}

describe('a session set to the background', () => {
  it('runs its helper at the background nice value, and back at 0 where the system allows', async () => {
    const project = join(FIXTURES, 'alembic-observe')
    const inputs: Record<string, string> = { 'working-directory': project, python: await pythonWithAlembic() }
    const driver = createDriver(
      readConfig((name) => inputs[name]),
      silentLogger,
    )
    const db = await server.createDatabase()
    const session = await driver.open(db.url, { stepTimeoutSeconds: 60, resources })
    try {
      const helper = () => nicesOf('helper.py', '--project', project)
      expect(helper()).toEqual([0])
      session.setBackground?.(true)
      expect(helper()).toEqual([BACKGROUND_NICE])
      // A step still runs at that priority.
      expect((await session.upgrade('a1000001')).ok).toBe(true)
      session.setBackground?.(false)
      // Raising a priority back needs root (or CAP_SYS_NICE); elsewhere it stays, by design.
      expect(helper()).toEqual([process.getuid?.() === 0 ? 0 : BACKGROUND_NICE])
    } finally {
      await session.close()
      await driver.release?.()
    }
  })
})
