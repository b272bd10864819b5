// Records the GateReports the renderer tests read (test/unit/reports/*.json) from real runs: the
// scenarios of test/support/report-scenarios.ts, on local PostgreSQL binaries and the Python that has
// Alembic (test/support/python.ts finds it).
//
// Rerun it when the report's shape, a check's finding or message, or a scenario changes, then review
// the diff of test/unit/reports/ and commit it with the change:
//   npx tsx scripts/record-reports.ts
// The render tests compare against these files, so a renderer change alone needs no rerun.
//
// What would differ between two recordings is made fixed, so a rerun only shows real changes: the
// repository root and the scratch directory become placeholders (test/unit/render-reports.ts turns
// them back), every duration becomes a fixed figure, and the git repositories' commits get a fixed
// date (their shas are then the same on every run).
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// The scenarios run on the machine's PostgreSQL, whatever its major, as the test suite's do
// (vitest.config.ts): the recorded reports then say postgres-version any.
process.env.MIGRATION_GATE_POSTGRES_VERSION ??= 'any'
// Before test/support/git.ts is loaded: it copies the environment once.
process.env.GIT_AUTHOR_DATE = '2024-01-01T00:00:00Z'
process.env.GIT_COMMITTER_DATE = '2024-01-01T00:00:00Z'

const { allReports } = await import('../test/support/report-scenarios.js')
const { REPO_PLACEHOLDER, SCRATCH_PLACEHOLDER, repoRoot, reportsDir } = await import('../test/unit/render-reports.js')
type GateReport = import('../src/report.js').GateReport

/** Fixed durations: the renderers print them, the tests check only their form. */
const STEP_MS = 100
const PHASE_MS = 1000
const POSTGRES_START_MS = 1500
const LIVE_DATABASE = 'db.example.com:5432/production'

function normalise(report: GateReport, scratch: string): string {
  const fixed: GateReport = {
    ...report,
    steps: report.steps.map((s) => ({ ...s, ms: STEP_MS })),
    ...(report.postgres ? { postgres: { ...report.postgres, startMs: POSTGRES_START_MS } } : {}),
    // The live database is a scratch one on a random port.
    ...(report.live ? { live: { ...report.live, database: LIVE_DATABASE, longestTransactionMs: STEP_MS } } : {}),
    timings: {
      totalMs: PHASE_MS * Object.keys(report.timings.phases).length,
      phases: Object.fromEntries(Object.keys(report.timings.phases).map((p) => [p, PHASE_MS])),
    },
  }
  const inJson = (path: string) => JSON.stringify(path).slice(1, -1)
  // The scratch directory lies outside the repository, so the order does not matter; replace both anyway.
  return (JSON.stringify(fixed, null, 2) + '\n')
    .split(inJson(scratch))
    .join(SCRATCH_PLACEHOLDER)
    .split(inJson(repoRoot))
    .join(REPO_PLACEHOLDER)
}

const scratch = mkdtempSync(join(tmpdir(), 'mg-record-reports-'))
try {
  const reports = await allReports(scratch)
  mkdirSync(reportsDir, { recursive: true })
  for (const old of readdirSync(reportsDir)) if (old.endsWith('.json')) rmSync(join(reportsDir, old))
  for (const [name, report] of Object.entries(reports)) {
    writeFileSync(join(reportsDir, `${name}.json`), normalise(report, scratch))
  }
  console.log(`recorded ${Object.keys(reports).length} reports in ${reportsDir}`)
} finally {
  rmSync(scratch, { recursive: true, force: true })
}
