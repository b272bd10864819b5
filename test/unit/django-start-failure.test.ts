// The one-line errors of a Django helper that cannot start, or whose loader sees other migrations
// than the gate's graph (drivers/django/start-failure.ts).
import { describe, expect, it } from 'vitest'
import { djangoStartFailure, nodesDisagree } from '../../src/drivers/django/start-failure.js'

describe('nodesDisagree', () => {
  it('is silent when the gate and Django have the same migrations, in any order', () => {
    expect(nodesDisagree(['a.0001_x', 'b.0001_y'], ['b.0001_y', 'a.0001_x'])).toBeUndefined()
  })

  it('names what only one side has, both ways, at most five each', () => {
    const gate = ['a.0001_x', 'a.0002_y']
    const django = ['a.0001_x', ...Array.from({ length: 7 }, (_, i) => `b.000${i}_z`)]
    expect(nodesDisagree(gate, django)).toBe(
      "django: the migrations read from the files differ from what Django loads (the gate read a.0002_y, which Django's loader does not have; Django's loader has b.0000_z, b.0001_z, b.0002_z, b.0003_z, b.0004_z and 2 more, which the gate did not read); the replay needs both to agree (check INSTALLED_APPS and MIGRATION_MODULES, or set django-settings)",
    )
  })
})

describe('djangoStartFailure', () => {
  it('an import error names the python input and the interpreter', () => {
    const e = djangoStartFailure(
      { message: "ModuleNotFoundError: No module named 'environ'", file: 'mysite/settings.py', line: 3 },
      '/usr/bin/python3',
    )
    expect(e.input).toBe('python')
    expect(e.message).toBe(
      "django: cannot set up the project (mysite/settings.py:3): ModuleNotFoundError: No module named 'environ' (python: /usr/bin/python3; install the project's dependencies there, or set python to the interpreter that has them)",
    )
  })

  it('anything else names django-settings', () => {
    const e = djangoStartFailure({ message: 'ImproperlyConfigured: SECRET_KEY must not be empty' }, 'python3')
    expect(e.input).toBe('django-settings')
    expect(e.message).toBe('django: cannot set up the project: ImproperlyConfigured: SECRET_KEY must not be empty')
  })
})
