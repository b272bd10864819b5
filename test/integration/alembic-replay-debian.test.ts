// The replay suite on Debian's alembic 1.8 / SQLAlchemy 1.4 (/usr/bin/python3), every stairway
// cut into slices of one or two revisions on databases side by side. Its one-database run is
// alembic-replay-debian-one-db.test.ts (a file of its own, so the two run in parallel).
import { pythonWithAlembic } from '../support/python.js'
import { replaySuite } from './alembic-replay.suite.js'

replaySuite({ label: 'Debian alembic 1.8 / SQLAlchemy 1.4', interpreter: pythonWithAlembic, workers: '3' })
