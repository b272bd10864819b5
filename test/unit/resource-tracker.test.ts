// A run's resource tracker (src/resource-tracker.ts) and the process-wide signal hook that holds the
// live ones (src/signal-cleanup.ts), on real files and the real process listeners: each run's
// resources and ledger are its own, cleanups run newest first and once, and the hook is there only
// while some tracker holds something. What the signals themselves do is proved in separate processes
// (test/integration/cleanup.test.ts, test/adversarial/kill.test.ts).
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readLedger } from '../../src/postgres/ledger.js'
import { ResourceTracker } from '../../src/resource-tracker.js'

const scratch = mkdtempSync(join(tmpdir(), 'mg-resource-tracker-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe('ResourceTracker', () => {
  it("records in its own run's ledger only, and a tracker without one writes nowhere", () => {
    const ledgerA = join(scratch, 'a.json')
    const ledgerB = join(scratch, 'b.json')
    const a = new ResourceTracker({ ledger: ledgerA })
    const b = new ResourceTracker({ ledger: ledgerB })
    const cli = new ResourceTracker()
    a.record({ kind: 'cluster', dir: '/tmp/migration-gate-pg-a' })
    b.record({ kind: 'container', id: 'c0ffee' })
    cli.record({ kind: 'cluster', dir: '/tmp/migration-gate-pg-cli' })
    a.record({ kind: 'cluster', dir: '/tmp/migration-gate-pg-a' })
    expect(readLedger(ledgerA)).toEqual([{ kind: 'cluster', dir: '/tmp/migration-gate-pg-a' }])
    expect(readLedger(ledgerB)).toEqual([{ kind: 'container', id: 'c0ffee' }])
    a.forget({ kind: 'cluster', dir: '/tmp/migration-gate-pg-a' })
    // An empty ledger is no file: nothing is left for the post step.
    expect(existsSync(ledgerA)).toBe(false)
    expect(existsSync(ledgerB)).toBe(true)
  })

  it('cleans newest first, reports failures without throwing, and leaves untracked cleanups alone', async () => {
    const tracker = new ResourceTracker()
    const ran: string[] = []
    tracker.track('server', async () => void ran.push('server'))
    const untrack = tracker.track('stopped already', async () => void ran.push('stopped already'))
    tracker.track('helper', async () => {
      ran.push('helper')
      throw new Error('kill failed')
    })
    untrack()
    expect(await tracker.cleanupAll()).toEqual(['helper: kill failed'])
    expect(ran).toEqual(['helper', 'server'])
    // Emptied: a second call runs nothing again.
    expect(await tracker.cleanupAll()).toEqual([])
    expect(ran).toEqual(['helper', 'server'])
  })

  it("a cleanup asked for while one runs (the signal's and the run's own) waits for it and runs nothing twice", async () => {
    const tracker = new ResourceTracker()
    let stops = 0
    let release!: () => void
    const slow = new Promise<void>((resolve) => (release = resolve))
    tracker.track('server', async () => {
      stops++
      await slow
    })
    const first = tracker.cleanupAll()
    const second = tracker.cleanupAll()
    release()
    expect(await Promise.all([first, second])).toEqual([[], []])
    expect(stops).toBe(1)
  })

  it('the synchronous last resorts run for every tracked resource that has one', async () => {
    const tracker = new ResourceTracker()
    const ran: string[] = []
    tracker.track(
      'dir',
      async () => {},
      () => ran.push('dir'),
    )
    tracker.track('no sync', async () => {})
    tracker.track(
      'broken',
      async () => {},
      () => {
        throw new Error('gone')
      },
    )
    tracker.track(
      'server',
      async () => {},
      () => ran.push('server'),
    )
    tracker.cleanupSync()
    expect(ran).toEqual(['dir', 'server'])
    // Emptied, so the hook below starts from no live tracker.
    await tracker.cleanupAll()
  })
})

describe('the signal hook', () => {
  const listeners = () => ({
    SIGINT: process.listenerCount('SIGINT'),
    SIGTERM: process.listenerCount('SIGTERM'),
    exit: process.listenerCount('exit'),
  })

  it('listens only while some tracker holds something, whichever run it belongs to', async () => {
    const before = listeners()
    const one = new ResourceTracker()
    const two = new ResourceTracker()
    const untrackOne = one.track('server', async () => {})
    const during = listeners()
    expect(during).toEqual({ SIGINT: before.SIGINT + 1, SIGTERM: before.SIGTERM + 1, exit: before.exit + 1 })
    two.track('helper', async () => {})
    expect(listeners()).toEqual(during)
    untrackOne()
    // The other run still holds a helper: a signal must still clean it.
    expect(listeners()).toEqual(during)
    await two.cleanupAll()
    expect(listeners()).toEqual(before)
  })
})
