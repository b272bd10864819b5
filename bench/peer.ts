// The peer: pytest-alembic's test_up_down_consistency (every revision upgraded one at a time, then
// downgraded one at a time) on the same chain and server, as a pytest process timed from spawn to
// exit. pytest-alembic is not installed from a registry here: --peer-src names its source (its
// src/ dir, a checkout, or a git dir whose HEAD is archived), run with PYTHONPATH and the
// interpreter's own pytest.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { runTimed, tail } from './children.js'
import { sqlalchemyUrl } from './naive.js'

export interface Peer {
  /** Holds the pytest_alembic package. */
  src: string
  version: string
  /** Holds conftest.py: pytest runs here, so no test of the project is collected. */
  dir: string
}

// The project's own alembic.ini and env.py, as its users run pytest-alembic without changing env.py:
// sqlalchemy.url (and DATABASE_URL) name the scratch database; script_location made absolute.
const CONFTEST = `import os

import pytest
import sqlalchemy
from alembic.config import Config


@pytest.fixture
def alembic_config():
    ini = os.environ["MG_PEER_INI"]
    config = Config(ini)
    location = config.get_main_option("script_location")
    if location and not os.path.isabs(location) and ":" not in location:
        config.set_main_option("script_location", os.path.join(os.environ["MG_PEER_PROJECT"], location))
    config.set_main_option("sqlalchemy.url", os.environ["MG_PEER_URL"].replace("%", "%%"))
    return config


@pytest.fixture
def alembic_engine():
    engine = sqlalchemy.create_engine(os.environ["MG_PEER_URL"])
    yield engine
    engine.dispose()
`

/** Finds or unpacks pytest-alembic and checks that the interpreter can run it; a reason when not. */
export function preparePeer(source: string | undefined, python: string, workDir: string): Peer | string {
  if (!source) return 'no --peer-src given (a pytest-alembic checkout, its src/ dir or a git dir)'
  let src: string | undefined
  if (existsSync(path.join(source, 'pytest_alembic'))) src = source
  else if (existsSync(path.join(source, 'src', 'pytest_alembic'))) src = path.join(source, 'src')
  else {
    try {
      const out = path.join(workDir, 'pytest-alembic')
      mkdirSync(out, { recursive: true })
      const archive = execFileSync('git', ['--git-dir', source, 'archive', 'HEAD', 'src'], {
        maxBuffer: 64 * 1024 * 1024,
      })
      execFileSync('tar', ['-x', '-C', out], { input: archive })
      src = path.join(out, 'src')
    } catch (error) {
      return `--peer-src ${source}: no pytest_alembic package there, and not a git dir holding one (${String(error).split('\n')[0]})`
    }
  }
  const dir = path.join(workDir, 'peer')
  mkdirSync(dir, { recursive: true })
  writeFileSync(path.join(dir, 'conftest.py'), CONFTEST)
  try {
    const version = execFileSync(
      python,
      ['-c', 'import pytest, importlib.metadata as m, pytest_alembic.plugin; print(pytest.__version__)'],
      { env: { ...process.env, PYTHONPATH: src }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    ).trim()
    return { src, version: `pytest ${version}`, dir }
  } catch (error) {
    const e = error as { stderr?: string }
    return `${python} cannot run pytest-alembic from ${src}: ${tail(e.stderr ?? String(error), 1)}`
  }
}

export interface PeerRun {
  ok: boolean
  ms: number
  /** passed, failed (the test found something), or why it did not run. */
  outcome: string
}

export async function runPeer(
  peer: Peer,
  options: { python: string; projectDir: string; ini: string; url: string },
): Promise<PeerRun> {
  const url = sqlalchemyUrl(options.url)
  const done = await runTimed(
    options.python,
    [
      '-m',
      'pytest',
      '-p',
      'pytest_alembic.plugin',
      '-p',
      'no:cacheprovider',
      '--test-alembic',
      // Its tests bind to this file (by default tests/conftest.py under the rootdir).
      '--alembic-tests-path',
      'conftest.py',
      '--rootdir',
      peer.dir,
      '-k',
      'up_down_consistency',
      '-q',
      '-W',
      'ignore::DeprecationWarning',
    ],
    {
      cwd: peer.dir,
      env: {
        ...process.env,
        PYTHONPATH: [peer.src, options.projectDir].join(path.delimiter),
        MG_PEER_INI: options.ini,
        MG_PEER_PROJECT: options.projectDir,
        MG_PEER_URL: url,
        DATABASE_URL: url,
      },
    },
  )
  const summary = tail(done.stdout, 1)
  if (done.code === 0 && /1 passed/.test(summary)) return { ok: true, ms: done.ms, outcome: 'passed' }
  if (done.code === 1) return { ok: true, ms: done.ms, outcome: `failed: ${summary}` }
  return { ok: false, ms: done.ms, outcome: `exit ${done.code ?? done.signal}: ${tail(done.stdout + done.stderr)}` }
}
