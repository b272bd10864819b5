// What the dangerous-operation rules cost: loading the PostgreSQL parser (once per process, only
// when there is something to judge) and judging a statement (parse + every rule).
//   npx tsx bench/lint-parser.ts
import { performance } from 'node:perf_hooks'
import { LINT_OFF } from '../src/lint/config.js'
import { judgeSteps, type LintStep } from '../src/lint/engine.js'
import { loadParser } from '../src/lint/parser.js'

const t0 = performance.now()
const parse = await loadParser()
const loadMs = performance.now() - t0

const sql = [
  "SET lock_timeout = '5s'",
  'CREATE INDEX ix_orders_customer ON orders (customer_id)',
  'ALTER TABLE orders ADD COLUMN note text NOT NULL',
  'ALTER TABLE orders ALTER COLUMN amount TYPE bigint',
  'ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (customer_id) REFERENCES customers (id)',
]
const steps: LintStep[] = Array.from({ length: 200 }, (_, i) => ({
  revision: `r${i}`,
  file: `migrations/${i}.up.sql`,
  sent: sql.map((s, n) => ({ sql: s, file: `migrations/${i}.up.sql`, line: n + 1 })),
}))
const t1 = performance.now()
judgeSteps(steps, { ...LINT_OFF, level: 'warn' }, () => undefined, parse)
const judgeMs = performance.now() - t1
const statements = steps.length * sql.length
console.log(`parser load: ${loadMs.toFixed(1)} ms`)
console.log(
  `judged ${statements} statements in ${judgeMs.toFixed(1)} ms: ${((judgeMs / statements) * 1000).toFixed(0)} µs per statement`,
)
