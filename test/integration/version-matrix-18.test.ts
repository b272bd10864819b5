// The version matrix (version-matrix.suite.ts) on PostgreSQL 18.
import { versionMatrix } from './version-matrix.suite.js'

versionMatrix(18)
