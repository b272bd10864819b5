// The Django replay and model-drift on a current Django, 5.x or later (test/support/newer-django.ts).
// Skipped, with pip's reason, only where that Django cannot be installed.
import { newerDjangoPython } from '../support/newer-django.js'
import { djangoReplaySuite } from './django-replay.suite.js'

const newer = newerDjangoPython()
djangoReplaySuite({
  label: `a current Django (${'versions' in newer ? newer.versions : 'absent'})`,
  interpreter: async () => ('python' in newer ? newer.python : ''),
  skip: 'skip' in newer ? newer.skip : undefined,
})
