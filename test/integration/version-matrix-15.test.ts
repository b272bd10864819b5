// The version matrix (version-matrix.suite.ts) on PostgreSQL 15.
import { versionMatrix } from './version-matrix.suite.js'

versionMatrix(15)
