// runGate over a fixture project, as the integration tests run it: local PostgreSQL binaries and the
// distro's Alembic (test/support/python.ts), any input overridable.
import { join } from 'node:path'
import { runGate } from '../../src/gate.js'
import { readConfig } from '../../src/inputs.js'
import { silentLogger } from '../../src/logger.js'
import type { GateReport } from '../../src/report.js'
import { pythonWithAlembic } from './python.js'

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures')

export async function gateOnFixture(fixture: string, inputs: Record<string, string> = {}): Promise<GateReport> {
  const all: Record<string, string> = {
    'working-directory': join(FIXTURES, fixture),
    postgres: 'local',
    python: await pythonWithAlembic(),
    ...inputs,
  }
  return runGate(
    readConfig((name) => all[name]),
    { logger: silentLogger },
  )
}
