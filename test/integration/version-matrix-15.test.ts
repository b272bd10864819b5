// The version matrix (version-matrix.suite.ts) on PostgreSQL 15: the replays through the embedded
// install of 15. Its catalog snapshot suite is schema.test.ts's, on the local 15 server the rest of
// the suite uses, so it is not run twice.
import { versionMatrix } from './version-matrix.suite.js'

versionMatrix(15, { snapshot: false })
