// Bundled alone by test/unit/lint-bundle.test.ts with dist's build, then run where no node_modules
// is: prints the statement kinds the bundled parser finds, or the error.
import { loadParser } from '../../src/lint/parser.js'

const parse = await loadParser()
console.log(
  JSON.stringify(
    parse('CREATE INDEX ix ON orders (a); ALTER TABLE orders RENAME TO o').map((s) => Object.keys(s.stmt)[0]),
  ),
)
