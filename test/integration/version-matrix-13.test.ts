// The version matrix (version-matrix.suite.ts) on PostgreSQL 13.
import { versionMatrix } from './version-matrix.suite.js'

versionMatrix(13)
