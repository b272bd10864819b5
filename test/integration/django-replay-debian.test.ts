// The Django replay and model-drift on Debian's Django 3.2 (test/support/python.ts).
import { pythonWithDjango } from '../support/python.js'
import { djangoReplaySuite } from './django-replay.suite.js'

djangoReplaySuite({ label: "Debian's Django", interpreter: pythonWithDjango })
