import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Integration tests each start real servers; two cores, so keep parallelism modest.
    maxWorkers: 2,
    // Every catalog capture of the replay is checked against a full read of the schema (schema/probe.ts).
    // The suite's servers are the machine's PostgreSQL (whatever its major) unless a test asks for a
    // major (postgres-version): the default, the newest supported, would download it.
    // The dangerous-operation rules are off outside their own tests (which set `lint`), so that each
    // fixture's expected findings stay about what the fixture is for.
    env: { MIGRATION_GATE_VERIFY_CAPTURES: '1', MIGRATION_GATE_POSTGRES_VERSION: 'any', MIGRATION_GATE_LINT: 'off' },
    reporters: ['default'],
  },
})
