// The replay suite on Debian's alembic 1.8 / SQLAlchemy 1.4 with replay-workers 1: each stairway on
// one database, as the gate runs most projects. The newer-Alembic suite runs this way too, but it is
// skipped where no newer Alembic can be installed; the distro's generation must not depend on that.
import { pythonWithAlembic } from '../support/python.js'
import { replaySuite } from './alembic-replay.suite.js'

replaySuite({
  label: 'Debian alembic 1.8 / SQLAlchemy 1.4',
  interpreter: pythonWithAlembic,
  workers: '1',
  // The slices run (alembic-replay-debian.test.ts) has them: a roundtrip ignores replay-workers.
  roundtrip: false,
})
