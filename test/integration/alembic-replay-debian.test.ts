// The replay suite on Debian's alembic 1.8 / SQLAlchemy 1.4 (/usr/bin/python3 here), every stairway
// cut into slices of one or two revisions on databases side by side.
import { pythonWithAlembic } from '../support/python.js'
import { replaySuite } from './alembic-replay.suite.js'

replaySuite('Debian alembic 1.8 / SQLAlchemy 1.4', pythonWithAlembic, '3')
