// Broken Alembic configurations: the ini, script_location, version_locations, env.py. Each must end
// in exit 2 with one line naming what is wrong (the setting or the file), never a pass.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ENV_PY, INI, alembicProject } from './templates.js'
import { garbage, replayArgs, staticArgs, type Case, type CaseContext } from './case.js'

const withIni = (ini: string) => (c: CaseContext) => alembicProject(c.project, undefined, ini)
const setting = (line: string) => INI.replace('script_location = alembic', line)

function iniCase(name: string, ini: string, names: string): Case {
  return { name, category: 'config', build: withIni(ini), args: (c) => staticArgs(c), expect: { error: names } }
}

/** env.py replaced: loading it happens only where the gate replays. */
function envCase(name: string, env: string, names = 'env.py', ...more: string[]): Case {
  return {
    name,
    category: 'config',
    build: (c) => alembicProject(c.project, undefined, INI, env),
    args: (c) => replayArgs(c, 'roundtrip', ...more),
    expect: { error: names },
    replay: true,
  }
}

/** An env.py that never finishes loading: a step-timeout at env.py, like a step that hangs. */
function hangingEnvCase(name: string, env: string): Case {
  return { ...envCase(name, env, 'env.py', '--step-timeout', '2'), expect: { finding: 'step-timeout', file: 'env.py' } }
}

export const CONFIG_CASES: Case[] = [
  {
    name: 'alembic.ini missing (tool alembic)',
    category: 'config',
    build: (c) => {
      alembicProject(c.project)
      rmSync(join(c.project, 'alembic.ini'))
    },
    args: (c) => staticArgs(c, '--tool', 'alembic'),
    expect: { error: 'alembic.ini' },
  },
  {
    name: '--config naming an ini that does not exist',
    category: 'config',
    build: (c) => alembicProject(c.project),
    args: (c) => staticArgs(c, '--config', 'nowhere.ini'),
    expect: { error: 'nowhere.ini' },
  },
  {
    name: '--config naming a directory',
    category: 'config',
    build: (c) => alembicProject(c.project),
    args: (c) => staticArgs(c, '--tool', 'alembic', '--config', 'alembic'),
    expect: { error: 'config' },
  },
  iniCase('alembic.ini empty', '', 'alembic.ini'),
  {
    name: 'alembic.ini binary garbage',
    category: 'config',
    build: (c) => {
      alembicProject(c.project)
      writeFileSync(join(c.project, 'alembic.ini'), garbage(c.random, 2048))
    },
    args: (c) => staticArgs(c, '--tool', 'alembic'),
    expect: { error: 'alembic.ini' },
  },
  iniCase('alembic.ini without an [alembic] section', INI.replace('[alembic]', '[tool:alembic]'), 'alembic.ini'),
  iniCase('alembic.ini with a duplicate key', `${INI}script_location = other\n`, 'alembic.ini'),
  iniCase('alembic.ini with a bad interpolation', setting('script_location = %(nope)s/alembic'), 'script_location'),
  iniCase('script_location missing', setting(''), 'script_location'),
  iniCase('script_location empty', setting('script_location ='), 'script_location'),
  iniCase('script_location pointing to nowhere', setting('script_location = no/such/dir'), 'script_location'),
  iniCase('script_location = /', setting('script_location = /'), 'script_location'),
  iniCase('script_location pointing to a file', setting('script_location = alembic.ini'), 'script_location'),
  iniCase(
    'script_location pointing to a dir without env.py or versions',
    setting('script_location = .'),
    'script_location',
  ),
  iniCase('version_locations missing', `${INI}version_locations = %(here)s/no-such-versions\n`, 'version_locations'),
  {
    name: 'version_locations pointing to a file',
    category: 'config',
    build: (c) => {
      alembicProject(c.project, undefined, `${INI}version_locations = %(here)s/versions.txt\n`)
      writeFileSync(join(c.project, 'versions.txt'), 'not a directory\n')
    },
    args: (c) => staticArgs(c),
    expect: { error: 'version_locations' },
  },
  {
    name: 'env.py missing',
    category: 'config',
    build: (c) => {
      alembicProject(c.project)
      rmSync(join(c.project, 'alembic', 'env.py'))
    },
    args: (c) => replayArgs(c, 'roundtrip'),
    expect: { error: 'env.py' },
    replay: true,
  },
  {
    name: 'env.py is a directory',
    category: 'config',
    build: (c) => {
      alembicProject(c.project)
      rmSync(join(c.project, 'alembic', 'env.py'))
      mkdirSync(join(c.project, 'alembic', 'env.py'))
    },
    args: (c) => replayArgs(c, 'roundtrip'),
    expect: { error: 'env.py' },
    replay: true,
  },
  envCase('env.py raising', `raise RuntimeError("env.py refuses to run")\n${ENV_PY}`),
  envCase('env.py with a syntax error', `${ENV_PY}\ndef broken(:\n`),
  envCase('env.py calling sys.exit(0)', `import sys\nsys.exit(0)\n${ENV_PY}`),
  envCase('env.py calling os._exit(0)', `import os\nos._exit(0)\n${ENV_PY}`),
  hangingEnvCase('env.py hanging (step-timeout 2)', `import time\ntime.sleep(600)\n${ENV_PY}`),
  hangingEnvCase('env.py hanging in an endless loop (step-timeout 2)', `while True:\n    pass\n${ENV_PY}`),
]
