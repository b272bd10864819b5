// Checked against the peer: Squawk (squawk-cli, whose binary comes in a platform package, no download
// at install; scripts/test-all.sh installs it under .cache/squawk, without a lock file) on each golang-migrate fixture file of the expected-hits table,
// compared with what the gate's rule says there. Where the two differ by design the difference is
// listed with its reason and asserted, so one that goes away is noticed. Skipped, saying why, where
// no squawk binary runs (.cache/squawk, node_modules/.bin, else PATH).
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { RULE_BY_ID } from '../../src/lint/rules/index.js'
import { LINT_FIXTURE_HITS } from '../support/lint-fixture-hits.js'

const repo = join(import.meta.dirname, '..', '..')
const installed = [
  join(repo, '.cache', 'squawk', 'node_modules', '.bin', 'squawk'),
  join(repo, 'node_modules', '.bin', 'squawk'),
]
const squawk = installed.find((p) => existsSync(p)) ?? 'squawk'
const runs = spawnSync(squawk, ['--version'], { encoding: 'utf8' })
const skipReason =
  runs.status === 0
    ? undefined
    : `squawk does not run here (${runs.error?.message ?? runs.stderr.trim()}): npm install --prefix .cache/squawk squawk-cli, or put squawk on PATH`

/** Fixture revisions (by slug) where Squawk's verdict differs from the gate's on purpose. */
const DIFFERENCES: Record<string, string> = {
  refunds_amount_bigint:
    'the table is created in the same migration: the gate is quiet (nobody can be blocked), Squawk flags it',
  drafts_rename_title: 'the table is created in the same migration: no running app knows the old name',
  staging_rename: 'the table is created in the same migration: no running app knows the old name',
  tmp_calc_drop_b: 'the table is created in the same migration: no data can be lost',
  scratch_create_drop: 'the table is created in the same migration: no data can be lost',
  index_ref2_concurrently_in_transaction:
    'Squawk cannot tell that golang-migrate sends a file of several statements as one implicit transaction (it needs --assume-in-transaction, which would then flag the single-statement files too); the gate sees the multi-statement text, and the failed step',
}

/** Squawk's rule names on one file (it exits 1 when it finds something: the JSON is what counts). */
function squawkRules(file: string): Set<string> {
  const run = spawnSync(squawk, ['--reporter', 'json', file], { encoding: 'utf8', cwd: repo })
  if (run.status !== 0 && run.status !== 1) throw new Error(`squawk failed on ${file}: ${run.stderr}`)
  return new Set((JSON.parse(run.stdout.trim() || '[]') as Array<{ rule_name: string }>).map((v) => v.rule_name))
}

describe('the gate against Squawk on lint-golang-migrate', () => {
  const compared = LINT_FIXTURE_HITS.filter((h) => RULE_BY_ID[h.rule].squawk !== undefined)
  it.skipIf(skipReason !== undefined).each(compared.map((h) => [h.slug, h] as const))('%s', (slug, h) => {
    const file = join('test', 'fixtures', 'lint-golang-migrate', 'migrations', `${h.golangMigrate}_${slug}.up.sql`)
    const name = RULE_BY_ID[h.rule].squawk as string
    const squawkFires = squawkRules(file).has(name)
    const differs = DIFFERENCES[slug]
    expect(squawkFires, `${name} on ${slug}${differs ? ` (differs on purpose: ${differs})` : ''}`).toBe(
      differs ? !h.bad : h.bad,
    )
  })

  it('says why it is skipped where squawk does not run', (ctx) => {
    if (skipReason) {
      console.log(`lint-squawk: skipped: ${skipReason}`)
      ctx.skip(skipReason)
    }
    expect(runs.stdout).toMatch(/^squawk \d+\.\d+/)
  })
})
