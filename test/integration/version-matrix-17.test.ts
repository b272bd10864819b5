// The version matrix (version-matrix.suite.ts) on PostgreSQL 17.
import { versionMatrix } from './version-matrix.suite.js'

versionMatrix(17)
