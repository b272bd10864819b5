// A monorepo run's renderers over reports recorded from real runs (render-reports.ts), put side by
// side as the projects of one run: one verdict at the top, one section per project holding that
// project's findings and nobody else's, files from the repository root through each project's own
// directory, one SARIF run with every result, and a JSON report the schema accepts.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { describe, expect, it } from 'vitest'
import type { GateReport, ProjectError, ProjectsReport } from '../../src/report.js'
import { planProjectsAnnotations } from '../../src/render/projects-annotations.js'
import {
  renderProjectsComment,
  renderProjectsPassingComment,
  renderProjectsSummary,
} from '../../src/render/projects-markdown.js'
import { renderProjectsSarif } from '../../src/render/projects-sarif.js'
import { renderProjectsTerminal } from '../../src/render/projects-terminal.js'
import { renderJson } from '../../src/render/json.js'
import { FINGERPRINT_KEY } from '../../src/render/sarif.js'
import { COMMENT_MARKER } from '../../src/render/comment.js'
import { recorded, repoRoot } from './render-reports.js'

const clean = recorded('clean-stairway') // alembic, passes
const sql = recorded('sql-golang-chain-static') // golang-migrate, fails

/** A ProjectsReport as projects.ts assembles it (the aggregate from the projects' own reports). */
function projectsReport(projects: Array<GateReport | ProjectError>): ProjectsReport {
  const judged = projects.filter((p): p is GateReport => p.result !== 'error')
  return {
    version: 1,
    result: projects.every((p) => p.result === 'pass') ? 'pass' : 'fail',
    mode: 'stairway',
    projects,
    findings: judged.flatMap((p) => p.findings.map((f) => ({ ...f, projectDir: p.projectDir }))),
    notes: projects.filter((p) => p.result === 'error').map((p) => `${p.projectDir}: not judged`),
    timings: { totalMs: 1234, phases: {} },
  }
}

const both = projectsReport([clean, sql])
const links = { rootDir: repoRoot }

/** The text from one line starting with `start` up to the next line starting with `next` (or the end). */
function between(text: string, start: string, next?: string): string {
  const from = text.indexOf(start)
  expect(from, start).toBeGreaterThanOrEqual(0)
  const to = next ? text.indexOf(next, from + 1) : text.length
  return text.slice(from, to === -1 ? undefined : to)
}

describe('the job summary of a monorepo run', () => {
  const text = renderProjectsSummary(both, links)

  it('opens with one verdict for the run and a row per project', () => {
    expect(text.split('\n')[0]).toBe('## ❌ migration-gate: fail (3 errors, 1 warning) · 2 projects: 1 fails, 1 passes')
    expect(text.match(/^## /gm)).toHaveLength(1)
    expect(text).toContain('| <code>test/fixtures/alembic-clean</code> | alembic | ✅ pass | none |')
    expect(text).toContain(
      '| <code>test/fixtures/sql-golang-chain</code> | golang-migrate | ❌ fail | 3 errors, 1 warning |',
    )
  })

  it('has one section per project, headed by its directory and tool, holding its own findings only', () => {
    const alembic = between(text, '### ✅ <code>test/fixtures/alembic-clean</code> (alembic): pass', '### ❌')
    const golang = between(
      text,
      '### ❌ <code>test/fixtures/sql-golang-chain</code> (golang-migrate): fail (3 errors, 1 warning)',
    )
    expect(alembic).not.toContain('#### Findings')
    expect(alembic).not.toContain('duplicate-revision')
    expect(golang).toContain('#### Findings')
    // Files from the repository root, through this project's directory.
    expect(golang).toContain('<code>test/fixtures/sql-golang-chain/migrations/2&#95;create&#95;orgs.up.sql')
    expect(golang.match(/<code>duplicate-revision<\/code>/g)).toHaveLength(1)
    // The sub-headings are one level below the section's.
    expect(text).not.toMatch(/^### (Findings|Timings|Migration chain)$/m)
  })

  it('says which project could not be judged, and why', () => {
    const broken: ProjectError = { projectDir: join(repoRoot, 'services/x'), result: 'error', error: 'config: nope' }
    const out = renderProjectsSummary(projectsReport([clean, broken]), links)
    expect(out.split('\n')[0]).toBe('## ❌ migration-gate: fail · 2 projects: 1 not judged, 1 passes')
    expect(out).toContain('### ⛔ <code>services/x</code>: not judged\n\n> config: nope')
  })

  it('stays under the summary limit with many large projects', () => {
    const huge = {
      ...sql,
      findings: Array.from({ length: 3000 }, () => ({ ...sql.findings[0]!, details: ['y'.repeat(900)] })),
    }
    const out = renderProjectsSummary(projectsReport([huge, huge, clean]), links)
    expect(Buffer.byteLength(out)).toBeLessThan(1024 * 1024)
    expect(out).toContain('more findings left out')
  })
})

describe('the PR comment of a monorepo run', () => {
  it('has one marker, one verdict and a section per project', () => {
    const text = renderProjectsComment(both, links)
    expect(text.startsWith(`${COMMENT_MARKER}\n### ❌ migration-gate: fail`)).toBe(true)
    expect(text.split(COMMENT_MARKER)).toHaveLength(2)
    expect(text).toContain('#### ✅ <code>test/fixtures/alembic-clean</code> (alembic): pass')
    const golang = between(text, '#### ❌ <code>test/fixtures/sql-golang-chain</code> (golang-migrate)')
    expect(golang).toContain('<code>duplicate-revision</code>')
    expect(text.match(/This comment is updated in place/g)).toHaveLength(1)
  })

  it('once every project passes, names each project', () => {
    const text = renderProjectsPassingComment(projectsReport([clean, clean]), links)
    expect(text).toContain('### ✅ migration-gate passes now')
    expect(text.match(/- <code>test\/fixtures\/alembic-clean<\/code> \(alembic\): alembic, stairway/g)).toHaveLength(2)
  })
})

describe('the terminal view of a monorepo run', () => {
  it('prints one block per project and one verdict line', () => {
    const text = renderProjectsTerminal(both, { colour: false, rootDir: repoRoot })
    const lines = text.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^test\/fixtures\/alembic-clean: PASS \(alembic, stairway, /)
    expect(text).toMatch(/^test\/fixtures\/sql-golang-chain: FAIL \(golang-migrate, static, /m)
    expect(lines.at(-1)).toBe('migration-gate: FAIL (2 projects: 1 failed, 1 passed) · 1.2 s')
    expect(lines.filter((l) => l.startsWith('migration-gate:'))).toHaveLength(1)
  })
})

describe('the annotations of a monorepo run', () => {
  it('point at each project’s files from the repository root, the caps shared', () => {
    const plan = planProjectsAnnotations(projectsReport([sql, { ...sql, projectDir: join(repoRoot, 'other') }]), {
      rootDir: repoRoot,
    })
    const files = plan.annotations.map((a) => a.file)
    expect(files).toContain('test/fixtures/sql-golang-chain/migrations/2_create_orgs.up.sql')
    expect(files).toContain('other/migrations/2_create_orgs.up.sql')
    // 3 errors each: 6 of the 10 error annotations a step may make.
    expect(plan.annotations.filter((a) => a.severity === 'error')).toHaveLength(6)
    const many = projectsReport([sql, sql, sql, sql])
    const capped = planProjectsAnnotations(many, { rootDir: repoRoot, reserved: { error: 1 } })
    expect(capped.annotations.filter((a) => a.severity === 'error')).toHaveLength(9)
    expect(capped.omitted.filter((f) => f.severity === 'error')).toHaveLength(3)
  })
})

describe('the SARIF of a monorepo run', () => {
  it('is one run with every project’s results, rules indexed once', () => {
    const other = { ...sql, projectDir: join(repoRoot, 'other'), projectPath: 'other' }
    const log = renderProjectsSarif(projectsReport([clean, sql, other]))
    const run = log.runs[0]
    const uris = run.results.map((r) => r.locations[0].physicalLocation.artifactLocation.uri)
    expect(uris).toContain('test/fixtures/sql-golang-chain/migrations/2_create_orgs.up.sql')
    expect(uris).toContain('other/migrations/2_create_orgs.up.sql')
    expect(new Set(run.tool.driver.rules.map((r) => r.id)).size).toBe(run.tool.driver.rules.length)
    for (const r of run.results) expect(run.tool.driver.rules[r.ruleIndex]!.id).toBe(r.ruleId)
    // The same finding on the same revision in two projects: two alerts, not one.
    const prints = run.results.map((r) => r.partialFingerprints[FINGERPRINT_KEY])
    expect(new Set(prints).size).toBe(prints.length)
    expect(run.invocations[0].executionSuccessful).toBe(true)
  })

  it('says which project could not be judged', () => {
    const broken: ProjectError = { projectDir: join(repoRoot, 'x'), result: 'error', error: 'tool: nope' }
    const run = renderProjectsSarif(projectsReport([clean, broken]), repoRoot).runs[0]
    expect(run.invocations[0].executionSuccessful).toBe(false)
    expect(run.invocations[0].toolConfigurationNotifications).toEqual([
      { level: 'error', message: { text: 'x: not judged: tool: nope' } },
    ])
  })
})

describe('the JSON report of a monorepo run', () => {
  const schema = JSON.parse(readFileSync(join(repoRoot, 'docs', 'report.schema.json'), 'utf8')) as object
  const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema)
  const problems = (report: unknown) => {
    validate(report)
    return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`)
  }
  const broken: ProjectError = { projectDir: join(repoRoot, 'x'), result: 'error', error: 'tool: nope' }
  const written = JSON.parse(renderJson(projectsReport([clean, sql, broken]))) as Record<string, unknown>

  it('is accepted by the schema: each project’s report as its own, and the aggregate', () => {
    expect(problems(written)).toEqual([])
    expect((written.projects as unknown[])[0]).toEqual(JSON.parse(renderJson(clean)))
    expect((written.findings as Array<{ projectDir: string }>).map((f) => f.projectDir)).toEqual(
      sql.findings.map(() => sql.projectDir),
    )
  })

  it('is rejected with a project lacking its report, a finding lacking its project, or single-project fields', () => {
    const noProject = structuredClone(written)
    delete (noProject.findings as Array<Record<string, unknown>>)[0]!.projectDir
    expect(problems(noProject)).toContainEqual(expect.stringContaining("must have required property 'projectDir'"))
    const partial = structuredClone(written)
    delete (partial.projects as Array<Record<string, unknown>>)[1]!.findings
    expect(problems(partial).length).toBeGreaterThan(0)
    expect(problems({ ...written, tool: 'alembic' }).length).toBeGreaterThan(0)
    // A single project's report with an aggregate's field is not a valid report either.
    const single = JSON.parse(renderJson(sql)) as { findings: Array<Record<string, unknown>> }
    single.findings[0]!.projectDir = sql.projectDir
    expect(problems(single).length).toBeGreaterThan(0)
  })
})
