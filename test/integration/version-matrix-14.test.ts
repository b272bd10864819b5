// The version matrix (version-matrix.suite.ts) on PostgreSQL 14.
import { versionMatrix } from './version-matrix.suite.js'

versionMatrix(14)
