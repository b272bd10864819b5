// SARIF over reports recorded from real runs (render-reports.ts): valid against the official SARIF
// 2.1.0 schema (test/fixtures/sarif/), rules from the catalogue, levels from severities, locations
// relative to the repository root, and fingerprints that survive a moved line but tell findings apart.
import { describe, expect, it } from 'vitest'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Ajv } from 'ajv'
import { CATALOGUE } from '../../src/findings/catalogue.js'
import type { Finding, GateReport } from '../../src/report.js'
import { FINGERPRINT_KEY, renderSarif, renderSarifJson, repositoryUri, type SarifLog } from '../../src/render/sarif.js'
import { VERSION } from '../../src/version.js'
import { fixtures, recorded, recordedNames, repoRoot } from './render-reports.js'

const schema = JSON.parse(readFileSync(join(fixtures, 'sarif', 'sarif-schema-2.1.0.json'), 'utf8')) as object

// The schema is draft-07 and uses three formats; ajv-formats is not a dependency, so each gets a real
// check here rather than being ignored (an unknown format would make strict ajv refuse the schema).
// unicodeRegExp off: the schema's own pattern for toolComponent.language ("...-[a-zA-Z]{2}]?$", a stray
// bracket) is a syntax error under the u flag, though a valid non-unicode ECMAScript regexp.
// strictRequired off: the schema lists "required" properties inside anyOf branches that define
// them elsewhere, which ajv's strict mode refuses as a style rule; every other strict check stays on.
const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, unicodeRegExp: false })
ajv.addFormat('uri', (s: string) => URL.canParse(s))
ajv.addFormat('uri-reference', (s: string) => !/\s/.test(s) && URL.canParse(s, 'http://base.invalid/'))
ajv.addFormat('date-time', (s: string) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(s))
const validate = ajv.compile(schema)

function errorsOf(log: unknown): string {
  return validate(log) ? '' : ajv.errorsText(validate.errors)
}

const residue = recorded('enum-residue-stairway')
const sqlChain = recorded('sql-golang-chain-static')

const fingerprint = (log: SarifLog, i: number) => log.runs[0].results[i]!.partialFingerprints[FINGERPRINT_KEY]

/** The report with its findings replaced. */
function withFindings(report: GateReport, findings: Finding[]): GateReport {
  return { ...report, findings }
}

describe('sarif', () => {
  it.each(recordedNames())('%s: valid against the official SARIF 2.1.0 schema', (name) => {
    const log = JSON.parse(renderSarifJson(recorded(name))) as unknown
    expect(errorsOf(log)).toBe('')
  })

  it('the schema check rejects what SARIF forbids (so the checks above can fail)', () => {
    const log = renderSarif(residue)
    expect(errorsOf({ ...log, version: '2.0.0' })).toContain('version')
    const badLevel = structuredClone(log) as unknown as { runs: Array<{ results: Array<{ level: string }> }> }
    badLevel.runs[0]!.results[0]!.level = 'notice'
    expect(errorsOf(badLevel)).toContain('level')
    const badUri = structuredClone(log)
    badUri.runs[0].results[0]!.locations[0].physicalLocation.artifactLocation.uri = 'a b.py'
    expect(errorsOf(badUri)).toContain('format "uri-reference"')
  })

  it('say which tool, which version and which schema', () => {
    const log = renderSarif(residue)
    expect(log.version).toBe('2.1.0')
    expect(log.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json')
    expect(log.runs).toHaveLength(1)
    expect(log.runs[0].tool.driver).toMatchObject({ name: 'migration-gate', version: VERSION })
  })

  it('one rule per finding id that occurs, worded from the catalogue, at its usual level', () => {
    const log = renderSarif(sqlChain)
    const ids = [...new Set(sqlChain.findings.map((f) => f.id))]
    expect(ids.length).toBeGreaterThan(1)
    expect(log.runs[0].tool.driver.rules.map((r) => r.id)).toEqual(ids)
    const irreversible = log.runs[0].tool.driver.rules.find((r) => r.id === 'irreversible-migration')!
    expect(irreversible.name).toBe('IrreversibleMigration')
    expect(irreversible.defaultConfiguration.level).toBe('warning')
    expect(irreversible.help.markdown).toContain(CATALOGUE['irreversible-migration'].seen)
    // Plain text drops the Markdown code marks the catalogue uses.
    const residueRule = renderSarif(residue).runs[0].tool.driver.rules[0]!
    expect(residueRule.shortDescription.text).toContain('DROP TYPE pdf_status')
    expect(residueRule.shortDescription.text).not.toContain('`')
    // Each result points at its rule's index.
    for (const r of log.runs[0].results) expect(log.runs[0].tool.driver.rules[r.ruleIndex]!.id).toBe(r.ruleId)
  })

  it('levels from severities: error, warning, and note for a notice', () => {
    expect(renderSarif(sqlChain).runs[0].results.map((r) => [r.ruleId, r.level])).toEqual(
      sqlChain.findings.map((f) => [f.id, f.severity === 'notice' ? 'note' : f.severity]),
    )
    expect(new Set(renderSarif(sqlChain).runs[0].results.map((r) => r.level))).toEqual(new Set(['error', 'warning']))
    const live = renderSarif(recorded('live-behind')).runs[0].results
    expect(live.map((r) => r.level)).toEqual(['note'])
    const pre = renderSarif(recorded('pre-existing-residue')).runs[0].results
    expect(pre.map((r) => [r.ruleId, r.level, r.properties?.preExisting])).toEqual([
      ['downgrade-residue', 'note', true],
      ['upgrade-failed', 'error', undefined],
    ])
  })

  it('the message, with the fix under it', () => {
    const [result] = renderSarif(residue).runs[0].results
    const [finding] = residue.findings
    expect(result!.message.text).toBe(`${finding!.message}\n\nFix: ${finding!.fix}`)
  })

  it('locate each result at its file relative to the repository root, and its line', () => {
    const [result] = renderSarif(residue).runs[0].results
    expect(result!.locations[0].physicalLocation).toEqual({
      artifactLocation: {
        uri: 'test/fixtures/alembic-enum-residue/alembic/versions/32c3ebc38184_create_feedback.py',
        uriBaseId: '%SRCROOT%',
      },
      region: { startLine: 39 },
    })
    // Every uri of a fixture's report names a file this repository has.
    for (const r of renderSarif(sqlChain).runs[0].results) {
      expect(existsSync(join(repoRoot, r.locations[0].physicalLocation.artifactLocation.uri))).toBe(true)
    }
  })

  it('at the repository root the uri is the finding file as it is', () => {
    const report = recorded('pr-stale')
    expect(report.projectPath).toBe('')
    const [result] = renderSarif(report).runs[0].results
    expect(result!.locations[0].physicalLocation.artifactLocation.uri).toBe(report.findings[0]!.file)
  })

  it('findings with no file in the repository are notifications of the run, not results', () => {
    // GitHub code scanning refuses a whole upload in which one result has no location.
    const live = recorded('live-unknown-revision')
    expect(live.findings.some((f) => !f.file)).toBe(true)
    const log = renderSarif(live)
    expect(log.runs[0].results).toHaveLength(live.findings.filter((f) => f.file).length)
    const notes = log.runs[0].invocations[0].toolExecutionNotifications ?? []
    expect(notes.map((n) => n.associatedRule.id)).toEqual(live.findings.filter((f) => !f.file).map((f) => f.id))
    expect(notes[0]!.level).toBe('error')
    // A project outside any git repository (no projectPath): nothing can be located.
    const outside = recorded('hostile')
    expect(outside.projectPath).toBeUndefined()
    expect(outside.findings.length).toBeGreaterThan(0)
    expect(renderSarif(outside).runs[0].results).toEqual([])
    expect(renderSarif(outside).runs[0].invocations[0].toolExecutionNotifications).toHaveLength(outside.findings.length)
  })

  it('repository uris: joined to the project path, never leading out of the repository', () => {
    expect(repositoryUri('app', 'migrations/1.sql')).toBe('app/migrations/1.sql')
    expect(repositoryUri('', 'migrations/1.sql')).toBe('migrations/1.sql')
    expect(repositoryUri('app', '../../etc/passwd')).toBeUndefined()
    expect(repositoryUri('app', '/abs/file.sql')).toBeUndefined()
    expect(repositoryUri(undefined, 'migrations/1.sql')).toBeUndefined()
    expect(repositoryUri('app', undefined)).toBeUndefined()
  })

  it('the same finding keeps its fingerprint when its line, message or details change', () => {
    const [finding] = residue.findings
    const moved: Finding = {
      ...finding!,
      line: finding!.line! + 12,
      message: `${finding!.message} (took 1234 ms in mg_scratch_7f3a)`,
      details: ['something else entirely'],
    }
    const a = renderSarif(residue)
    const b = renderSarif(withFindings(residue, [moved]))
    expect(b.runs[0].results[0]!.locations[0].physicalLocation.region?.startLine).toBe(finding!.line! + 12)
    expect(fingerprint(b, 0)).toMatch(/^[0-9a-f]{64}$/)
    expect(fingerprint(b, 0)).toBe(fingerprint(a, 0))
  })

  it('different findings get different fingerprints', () => {
    const [finding] = residue.findings
    const otherRevision: Finding = { ...finding!, revision: 'aaaaaaaaaaaa' }
    const otherRule: Finding = { ...finding!, id: 'downgrade-failed' }
    // A second finding with the same rule and revision: told apart by its place in the report.
    const log = renderSarif(withFindings(residue, [finding!, otherRevision, otherRule, { ...finding! }]))
    const prints = [0, 1, 2, 3].map((i) => fingerprint(log, i))
    expect(new Set(prints).size).toBe(4)
    // Within a real report too: every result has its own.
    const chain = renderSarif(sqlChain).runs[0].results.map((r) => r.partialFingerprints[FINGERPRINT_KEY])
    expect(chain.length).toBeGreaterThan(2)
    expect(new Set(chain).size).toBe(chain.length)
  })

  it('a finding without a revision is identified by its file', () => {
    const noRevision = sqlChain.findings.filter((f) => f.revision === undefined && f.file)
    expect(noRevision.length).toBeGreaterThan(0)
    const one = noRevision[0]!
    const a = renderSarif(withFindings(sqlChain, [one]))
    const b = renderSarif(withFindings(sqlChain, [{ ...one, line: 99 }]))
    const c = renderSarif(withFindings(sqlChain, [{ ...one, file: 'migrations/9_other.sql' }]))
    expect(fingerprint(b, 0)).toBe(fingerprint(a, 0))
    expect(fingerprint(c, 0)).not.toBe(fingerprint(a, 0))
  })
})
