// The version matrix (version-matrix.suite.ts) on PostgreSQL 16.
import { versionMatrix } from './version-matrix.suite.js'

versionMatrix(16)
