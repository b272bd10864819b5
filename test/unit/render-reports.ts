// Reports for the renderer tests, read from test/unit/reports/: GateReports recorded from real runs
// (fixtures on a real PostgreSQL, generated Alembic projects, pull requests in real git repositories;
// test/support/report-scenarios.ts) by scripts/record-reports.ts. Reading them needs no server and no
// Python, so the renderer tests stay fast; rerun the recorder when the report or a check changes.
// Not a test file itself (no .test.ts): each renderer test imports what it needs.
import { readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { GateReport } from '../../src/report.js'

export const fixtures = join(import.meta.dirname, '..', 'fixtures')
export const repoRoot = join(import.meta.dirname, '..', '..')
export const reportsDir = join(import.meta.dirname, 'reports')

/**
 * What the recorder writes instead of the directories a run happened in, so the files do not change
 * from machine to machine: the repository root (fixtures) and the scratch directory (generated
 * projects and repositories, which are read back as lying in the system's temporary directory: outside
 * the repository, as they were when recorded).
 */
export const REPO_PLACEHOLDER = '<repository>'
export const SCRATCH_PLACEHOLDER = '<scratch>'

/** Text that breaks Markdown, HTML and Mermaid if anything is left unescaped. */
export const HOSTILE =
  '<script>alert(1)</script> | pipe `tick` ```fence **bold** _em_ [link](javascript:alert(1)) @octocat #1 $x$ "]-->evil["'

/** The fixture alembic-clean's head, where the recorded pull requests fork. */
export const CLEAN_HEAD = 'bb86aaac9fb9'

/** The recorded reports' names (their file names without .json). */
export function recordedNames(): string[] {
  return readdirSync(reportsDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort()
}

/** A recorded report's JSON as written (placeholders in place). */
export function recordedText(name: string): string {
  return readFileSync(join(reportsDir, `${name}.json`), 'utf8')
}

/** A recorded report with its placeholders turned back into this checkout's directories. */
export function recorded(name: string): GateReport {
  const inJson = (path: string) => JSON.stringify(path).slice(1, -1)
  const text = recordedText(name)
    .split(REPO_PLACEHOLDER)
    .join(inJson(repoRoot))
    .split(SCRATCH_PLACEHOLDER)
    .join(inJson(join(tmpdir(), 'migration-gate-recorded')))
  return JSON.parse(text) as GateReport
}
