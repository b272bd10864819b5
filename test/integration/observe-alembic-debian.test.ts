// Observed Alembic steps on the distro's Alembic (test/support/python.ts).
import { pythonWithAlembic } from '../support/python.js'
import { observeSuite } from './observe-alembic.suite.js'

observeSuite({ label: "the distro's Alembic", interpreter: pythonWithAlembic })
