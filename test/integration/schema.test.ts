// The schema snapshot and diff suite (schema.suite.ts) on the test server (test/support/server.ts).
import { startTestServer } from '../support/server.js'
import { schemaSuite } from './schema.suite.js'

schemaSuite({ label: 'test server', startServer: startTestServer })
