// Observed Alembic steps on alembic >= 1.13 / SQLAlchemy 2.x (test/support/newer-alembic.ts). Skipped,
// with pip's reason, only where that Alembic cannot be installed.
import { newerAlembicPython } from '../support/newer-alembic.js'
import { observeSuite } from './observe-alembic.suite.js'

const newer = newerAlembicPython()
observeSuite({
  label: `newer Alembic (${'versions' in newer ? newer.versions : 'absent'})`,
  interpreter: async () => ('python' in newer ? newer.python : ''),
  skip: 'skip' in newer ? newer.skip : undefined,
})
