// The JSON report's contract (docs/report.schema.json, described in docs/report.md) against the
// reports recorded from real runs, as renderJson writes them; and the schema's own teeth: a report
// with an unknown finding id, a missing required field or an undeclared field is rejected.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Ajv2020 } from 'ajv/dist/2020.js'
import type { GateReport } from '../../src/report.js'
import { renderJson } from '../../src/render/json.js'
import { recorded, recordedNames, repoRoot } from './render-reports.js'

const schema = JSON.parse(readFileSync(join(repoRoot, 'docs', 'report.schema.json'), 'utf8')) as object
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema)

/** The validator's complaints, one line each (empty when the report is valid). */
function problems(report: unknown): string[] {
  validate(report)
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`)
}

/** A report as a user's file holds it: through renderJson and back. */
const asWritten = (report: GateReport) => JSON.parse(renderJson(report)) as Record<string, unknown>

/** The members of a string-literal union type declared in src/report.ts, read from its source. */
function unionMembers(typeName: string): string[] {
  const source = readFileSync(join(repoRoot, 'src', 'report.ts'), 'utf8')
  const body = new RegExp(`export type ${typeName} =([^]*?)\\n\\n`).exec(source)?.[1] ?? ''
  const members = [...body.matchAll(/\| '([a-z-]+)'/g)].map((m) => m[1]!)
  // A union named among the members (FindingId's `| LintRuleId`) counts with its own members.
  const nested = [...body.matchAll(/\| ([A-Z][A-Za-z]+)\b/g)].flatMap((m) => unionMembers(m[1]!))
  return [...members, ...nested].sort()
}

describe('the contract matches src/report.ts and docs/report.md', () => {
  const defs = (schema as { $defs: Record<string, { enum?: string[] }> }).$defs

  it('the schema lists exactly the finding ids of FindingId', () => {
    const ids = unionMembers('FindingId')
    expect(ids.length).toBeGreaterThanOrEqual(20)
    expect([...defs.findingId!.enum!].sort()).toEqual(ids)
  })

  it('docs/report.md explains every finding id in its table', () => {
    const doc = readFileSync(join(repoRoot, 'docs', 'report.md'), 'utf8')
    const documented = [...doc.matchAll(/^\| `([a-z-]+)` \| (?:chain|git|replay|drift|live|lint) \|/gm)]
      .map((m) => m[1]!)
      .sort()
    expect(documented).toEqual([...defs.findingId!.enum!].sort())
  })
})

describe('docs/report.schema.json', () => {
  const names = recordedNames()

  it('has every recorded report to check', () => {
    expect(names.length).toBeGreaterThanOrEqual(10)
  })

  it.each(names)('accepts the recorded report %s', (name) => {
    expect(problems(asWritten(recorded(name)))).toEqual([])
  })

  it('accepts a report whose free text was long enough to be bounded', () => {
    const report = recorded('enum-residue-stairway')
    const huge = 'x'.repeat(100_000)
    const finding = report.findings[0]!
    const bounded = asWritten({
      ...report,
      notes: [huge],
      findings: [{ ...finding, message: huge, fix: huge, details: Array.from({ length: 500 }, () => huge) }],
    })
    expect(problems(bounded)).toEqual([])
  })

  it('accepts an observed step (sent statements and what the server saw), its statements bounded', () => {
    const report = recorded('enum-residue-stairway')
    const step = report.steps[0]!
    const observedStep = {
      ...step,
      sent: [
        { sql: 'ALTER TABLE accounts ALTER COLUMN balance TYPE bigint;', file: 'migrations/2_widen.up.sql', line: 2 },
        { sql: `INSERT INTO t VALUES ${'(1),'.repeat(50_000)}(1)` },
      ],
      observed: {
        locks: [{ relation: 'public.accounts', mode: 'AccessExclusiveLock', existedBefore: true }],
        rewritten: ['public.accounts'],
        created: [],
        locksComplete: true,
      },
    }
    const written = asWritten({ ...report, steps: [observedStep, ...report.steps.slice(1)] })
    expect(problems(written)).toEqual([])
    const steps = written.steps as Array<{ sent: Array<{ sql: string }> }>
    expect(steps[0]!.sent[1]!.sql.length).toBeLessThanOrEqual(20_000)
    // The observation's fields are the contract's: one it does not declare is rejected.
    const extra = asWritten({ ...report, steps: [observedStep] })
    ;(extra.steps as Array<{ observed: Record<string, unknown> }>)[0]!.observed.extra = 1
    expect(problems(extra)).toEqual([
      expect.stringMatching(/^\/steps\/0\/observed must NOT have additional properties/),
    ])
  })

  describe('rejects', () => {
    const base = () => asWritten(recorded('pre-existing-residue'))

    it('an unknown finding id', () => {
      const report = base()
      const findings = report.findings as Array<Record<string, unknown>>
      findings[0]!.id = 'no-such-finding'
      expect(problems(report)).toEqual([
        expect.stringMatching(/^\/findings\/0\/id must be equal to one of the allowed values/),
      ])
    })

    it('an unknown severity, result, mode, provider or tool', () => {
      for (const [path, value] of [
        [['findings', 0, 'severity'], 'fatal'],
        [['result'], 'maybe'],
        [['mode'], 'sideways'],
        [['postgres', 'provider'], 'cloud'],
        [['tool'], 'flyway'],
      ] as const) {
        const report = base()
        let at: Record<string | number, unknown> = report
        for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>
        at[path.at(-1)!] = value
        expect(problems(report), path.join('.')).toHaveLength(1)
      }
    })

    it.each(['version', 'result', 'findings', 'timings'])('a report without %s', (field) => {
      const report = base()
      delete report[field]
      expect(problems(report)).toEqual([expect.stringContaining(`must have required property '${field}'`)])
    })

    it('a finding without a message, and one without a severity', () => {
      for (const field of ['message', 'severity']) {
        const report = base()
        delete (report.findings as Array<Record<string, unknown>>)[1]![field]
        expect(problems(report)).toEqual([
          expect.stringMatching(new RegExp(`^/findings/1 must have required property '${field}'`)),
        ])
      }
    })

    it('a field the contract does not declare, at the top or in a finding', () => {
      const top = { ...base(), extra: true }
      expect(problems(top)).toEqual([expect.stringMatching(/^\/ must NOT have additional properties/)])
      const inFinding = base()
      ;(inFinding.findings as Array<Record<string, unknown>>)[0]!.extra = 1
      expect(problems(inFinding)).toEqual([expect.stringMatching(/^\/findings\/0 must NOT have additional properties/)])
    })

    it('another version', () => {
      expect(problems({ ...base(), version: 2 })).toEqual([
        expect.stringMatching(/^\/version must be equal to constant/),
      ])
    })
  })
})
