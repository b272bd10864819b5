// The replay suite on alembic >= 1.13 / SQLAlchemy 2.x, from the local package mirror where it exists.
import { newerAlembicPython } from '../support/newer-alembic.js'
import { replaySuite } from './alembic-replay.suite.js'

const newer = newerAlembicPython()
replaySuite(
  `newer Alembic (${'versions' in newer ? newer.versions : 'absent'})`,
  async () => ('python' in newer ? newer.python : ''),
  '1',
  'skip' in newer ? newer.skip : undefined,
)
