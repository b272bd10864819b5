import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Integration tests each start real servers; two cores, so keep parallelism modest.
    maxWorkers: 2,
    // Every catalog capture of the replay is checked against a full read of the schema (schema/probe.ts).
    env: { MIGRATION_GATE_VERIFY_CAPTURES: '1' },
    reporters: ['default'],
  },
})
