// The bad-input corpus: 100+ generated projects and command lines, each run through the bundled CLI
// with a hard deadline, two at a time. Each case is its own test, named by its category and what it
// breaks; the figures table (and its JSON file) sums them up at the end. See README.md.
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pythonWithAlembic } from '../support/python.js'
import { ALEMBIC_FILE_CASES } from './corpus/alembic-files.js'
import type { Case, CaseContext } from './corpus/case.js'
import { CLI_VALUE_CASES } from './corpus/cli-values.js'
import { CONFIG_CASES } from './corpus/configs.js'
import { HOSTILE_CASES } from './corpus/hostile.js'
import { SQL_LAYOUT_CASES } from './corpus/sql-layouts.js'
import { bundleCli, type Bundle } from './support/bundle.js'
import { printFigures, type Row } from './support/figures.js'
import { describeLeftovers, removeLeftovers, settledLeftovers, total } from './support/leftovers.js'
import { judge, type Outcome } from './support/outcome.js'
import { runCli } from './support/run-cli.js'
import { chooseSeed, seededRandom } from './support/seeded.js'

const CASES: Case[] = [
  ...ALEMBIC_FILE_CASES,
  ...CONFIG_CASES,
  ...SQL_LAYOUT_CASES,
  ...CLI_VALUE_CASES,
  ...HOSTILE_CASES,
]
/**
 * Past these the run is a hang: static runs take about a second, replays of three revisions a few
 * (with step-timeout 5 s), even on a loaded machine.
 */
const STATIC_DEADLINE_MS = 30_000
const REPLAY_DEADLINE_MS = 30_000
const CONCURRENCY = 2

/** The figures table's rows: every outcome a case can end in. */
const FIGURE_LABELS: Array<[Outcome, string]> = [
  ['clean error', 'clean errors'],
  ['finding', 'findings'],
  ['warning', 'warnings'],
  ['stack trace', 'stack traces'],
  ['hang', 'hangs'],
  ['silent pass', 'silent passes'],
  ['leftovers', 'leftovers'],
  ['other', 'other'],
]

const seed = chooseSeed()
let root: string
let bundle: Bundle
let python: string
const rows: Row[] = []

/** At most CONCURRENCY runs at a time, whatever vitest starts side by side. */
let running = 0
const queue: Array<() => void> = []
async function slot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= CONCURRENCY) await new Promise<void>((resolve) => queue.push(resolve))
  running++
  try {
    return await fn()
  } finally {
    running--
    queue.shift()?.()
  }
}

beforeAll(async () => {
  console.log(`adversarial corpus: ${CASES.length} cases, seed ${seed} (replay with ADVERSARIAL_SEED=${seed})`)
  // Short paths: the gate's server socket lives under TMPDIR, and a socket path has ~100 bytes.
  root = mkdtempSync(join(tmpdir(), 'mg-adv-'))
  // As root the server runs as another user, which must reach its data dir under here.
  chmodSync(root, 0o755)
  bundle = bundleCli()
  python = await pythonWithAlembic()
})

afterAll(() => {
  const counts: Record<string, number> = {}
  for (const [outcome, label] of FIGURE_LABELS) counts[label] = rows.filter((r) => r.outcome === outcome).length
  if (rows.length)
    printFigures(
      `adversarial corpus (seed ${seed})`,
      `migration-gate-adversarial-corpus-${process.pid}.json`,
      rows,
      counts,
      { seed },
    )
  bundle?.remove()
  if (root) rmSync(root, { recursive: true, force: true })
})

describe.concurrent('bad-input corpus', () => {
  CASES.forEach((c, index) => {
    it(`${c.category}: ${c.name}`, async () => {
      const dir = join(root, `c${String(index).padStart(3, '0')}`)
      const tmp = join(dir, 'tmp')
      mkdirSync(tmp, { recursive: true })
      chmodSync(dir, 0o755)
      chmodSync(tmp, 0o755)
      const ctx: CaseContext = {
        dir,
        project: join(dir, 'project'),
        report: join(dir, 'report.json'),
        python,
        random: seededRandom(seed + index),
      }
      c.build(ctx)
      const args = c.args(ctx)
      const result = await slot(() =>
        runCli(bundle.cli, args, {
          cwd: c.cwd?.(ctx) ?? dir,
          env: { TMPDIR: tmp },
          deadlineMs: c.replay ? REPLAY_DEADLINE_MS : STATIC_DEADLINE_MS,
          ...(c.shell ? { prefix: ['sh', '-c', c.shell, 'sh'] } : {}),
        }),
      )
      const left = await settledLeftovers(dir, tmp)
      removeLeftovers(dir, tmp)
      const j = judge(result, c.expect, ctx.report, total(left) ? describeLeftovers(left) : null, c.check)
      rows.push({ name: `${c.category}: ${c.name}`, met: j.met, outcome: j.outcome, detail: j.detail })
      expect(j.met, `${j.outcome}: ${j.detail}`).toBe(true)
    })
  })
})
