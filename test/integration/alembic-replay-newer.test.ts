// The replay suite on alembic >= 1.13 / SQLAlchemy 2.x (test/support/newer-alembic.ts), each
// stairway on one database. Skipped, with pip's reason, only where that Alembic cannot be installed.
import { newerAlembicPython } from '../support/newer-alembic.js'
import { replaySuite } from './alembic-replay.suite.js'

const newer = newerAlembicPython()
replaySuite({
  label: `newer Alembic (${'versions' in newer ? newer.versions : 'absent'})`,
  interpreter: async () => ('python' in newer ? newer.python : ''),
  workers: '1',
  skip: 'skip' in newer ? newer.skip : undefined,
})
