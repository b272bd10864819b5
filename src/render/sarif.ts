// SARIF 2.1.0 (--sarif, the action's sarif input) for GitHub code scanning and other SARIF readers:
// one run, one rule per finding id that occurs (its wording from the catalogue), one result per
// finding that points at a file in the repository.
//
// Findings without such a file (the live database's state, model drift, a project outside any git
// repository) are NOT results: GitHub code scanning rejects the whole upload when one result has no
// location ("locationFromSarifResult: expected at least one location") or an empty uri, and inventing
// a file would put an alert on code that has nothing to do with it. They go in the invocation's
// toolExecutionNotifications instead (level, message, associatedRule), so the file still holds them;
// the job summary and the JSON report carry them as always.
import { createHash } from 'node:crypto'
import { posix } from 'node:path'
import { CATALOGUE } from '../findings/catalogue.js'
import type { Finding, FindingId, GateReport, Severity } from '../report.js'
import { VERSION } from '../version.js'
import { boundReport } from './bound.js'

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json'
export const INFORMATION_URI = 'https://github.com/migration-gate/migration-gate'
/** The key of partialFingerprints: versioned, so a future change of the hashed parts does not match old alerts by accident. */
export const FINGERPRINT_KEY = 'migrationGateFinding/v1'

export type SarifLevel = 'error' | 'warning' | 'note'

/** The part of SARIF this renderer writes (the official schema is checked in the tests). */
export interface SarifLog {
  $schema: string
  version: '2.1.0'
  runs: [SarifRun]
}

export interface SarifRun {
  tool: { driver: { name: string; version: string; informationUri: string; rules: SarifRule[] } }
  invocations: [
    {
      executionSuccessful: boolean
      toolExecutionNotifications?: SarifNotification[]
      /** A monorepo's projects that could not be judged (bad input), each with its one line. */
      toolConfigurationNotifications?: Array<{ level: 'error'; message: { text: string } }>
    },
  ]
  results: SarifResult[]
}

export interface SarifRule {
  id: FindingId
  name: string
  shortDescription: { text: string }
  fullDescription: { text: string }
  help: { text: string; markdown: string }
  defaultConfiguration: { level: SarifLevel }
}

export interface SarifResult {
  ruleId: FindingId
  ruleIndex: number
  level: SarifLevel
  message: { text: string }
  locations: [
    {
      physicalLocation: {
        artifactLocation: { uri: string; uriBaseId: '%SRCROOT%' }
        region?: { startLine: number }
      }
    },
  ]
  partialFingerprints: Record<string, string>
  properties?: { revision?: string; preExisting?: true }
}

export interface SarifNotification {
  level: SarifLevel
  message: { text: string }
  associatedRule: { id: FindingId; index: number }
}

const LEVEL: Record<Severity, SarifLevel> = { error: 'error', warning: 'warning', notice: 'note' }

/**
 * `scope`: a monorepo's project (its path): mixed into the fingerprints, so that two projects'
 * findings on the same revision id (golang-migrate's 1, 2, 3...) stay two alerts.
 */
export function renderSarif(whole: GateReport, scope?: string): SarifLog {
  const report = boundReport(whole)
  const ids = [...new Set(report.findings.map((f) => f.id))]
  const index = new Map(ids.map((id, i) => [id, i]))
  const results: SarifResult[] = []
  const notifications: SarifNotification[] = []
  // How many findings so far had the same fingerprint parts: the n-th gets n in its hash.
  const seen = new Map<string, number>()
  for (const f of report.findings) {
    const ruleIndex = index.get(f.id)!
    const uri = repositoryUri(report.projectPath, f.file)
    if (uri === undefined) {
      notifications.push({
        level: LEVEL[f.severity],
        message: { text: text(f) },
        associatedRule: { id: f.id, index: ruleIndex },
      })
      continue
    }
    const parts = fingerprintParts(f, uri, scope)
    const occurrence = seen.get(parts) ?? 0
    seen.set(parts, occurrence + 1)
    const result: SarifResult = {
      ruleId: f.id,
      ruleIndex,
      level: LEVEL[f.severity],
      message: { text: text(f) },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri, uriBaseId: '%SRCROOT%' },
            ...(f.line ? { region: { startLine: f.line } } : {}),
          },
        },
      ],
      partialFingerprints: { [FINGERPRINT_KEY]: hash(`${parts}\0${occurrence}`) },
    }
    if (f.revision !== undefined || f.preExisting) {
      result.properties = {
        ...(f.revision !== undefined ? { revision: f.revision } : {}),
        ...(f.preExisting ? { preExisting: true as const } : {}),
      }
    }
    results.push(result)
  }
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: { name: 'migration-gate', version: VERSION, informationUri: INFORMATION_URI, rules: ids.map(rule) },
        },
        // The gate ran to its verdict (a failed run throws and writes no report): findings are not a failed execution.
        invocations: [
          { executionSuccessful: true, ...(notifications.length ? { toolExecutionNotifications: notifications } : {}) },
        ],
        results,
      },
    ],
  }
}

export function renderSarifJson(report: GateReport): string {
  return JSON.stringify(renderSarif(report), null, 2) + '\n'
}

/**
 * What identifies a finding from one commit to the next, so code scanning keeps one alert open (and
 * its dismissal) instead of closing it and opening a new one. The rule, and the revision the finding
 * is about (a file's path when it has no revision). Never the line: editing the lines above moves it.
 * Never the message or details: they carry database error text (scratch database names, temporary
 * directories), durations and counts that change from run to run. Two findings with the same parts
 * (several differences left by one revision's downgrade) are told apart by their order in the report,
 * which the checks produce in a fixed order, as CodeQL numbers repeats of its line hash.
 */
function fingerprintParts(f: Finding, uri: string, scope: string | undefined): string {
  const parts = [f.id, f.revision !== undefined ? `revision:${f.revision}` : `file:${uri}`]
  return (scope === undefined ? parts : [`project:${scope}`, ...parts]).join('\0')
}

function hash(s: string): string {
  return createHash('sha256').update(s).digest('hex')
}

/** The message, and its fix under it (code scanning shows message.text as the alert's text). */
function text(f: Finding): string {
  return f.fix ? `${f.message}\n\nFix: ${f.fix}` : f.message
}

/**
 * A finding's file relative to the repository root, POSIX separators, or undefined when it has none
 * there: no file, a project outside any git repository (no projectPath), or a path leading out of it.
 */
export function repositoryUri(projectPath: string | undefined, file: string | undefined): string | undefined {
  if (!file || projectPath === undefined || posix.isAbsolute(file)) return undefined
  const uri = posix.normalize(posix.join(projectPath, file.split('\\').join('/')))
  return uri === '.' || uri === '..' || uri.startsWith('../') ? undefined : uri
}

function rule(id: FindingId): SarifRule {
  const entry = CATALOGUE[id]
  const happened = sentence(entry.happened)
  const seen = `Without the gate: ${entry.seen}.`
  return {
    id,
    name: id.replace(/(^|-)([a-z])/g, (_, _dash: string, c: string) => c.toUpperCase()),
    shortDescription: { text: plain(happened) },
    fullDescription: { text: plain(`${happened} ${seen}`) },
    help: { text: plain(`${happened}\n\n${seen}`), markdown: `${happened}\n\n${seen}` },
    defaultConfiguration: { level: LEVEL[entry.severity] },
  }
}

/** The catalogue's Markdown clause as a sentence. */
function sentence(s: string): string {
  const t = s.charAt(0).toUpperCase() + s.slice(1)
  return /[.!?]$/.test(t) ? t : `${t}.`
}

/** Markdown code and emphasis marks dropped, for the plain-text descriptions. */
function plain(s: string): string {
  return s.replace(/`([^`]*)`/g, '$1').replace(/\*\*([^*]*)\*\*/g, '$1')
}
