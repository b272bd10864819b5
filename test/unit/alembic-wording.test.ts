// The commands a finding tells the user to run are the ones the project runs: `flask db ...` for
// Flask-Migrate (whose users never call alembic, which would not find the script location), and
// `alembic -c ...` where the ini is not at the project root.
import { describe, expect, it } from 'vitest'
import { checkChain } from '../../src/checks/chain.js'
import { alembicCommand, alembicWordingFor } from '../../src/drivers/alembic/wording.js'
import type { RevisionGraph } from '../../src/drivers/driver.js'

const twoHeads: RevisionGraph = {
  nodes: [
    { id: 'a1', parents: [], dependsOn: [], branchLabels: [], file: 'v/a1.py', line: 1 },
    { id: 'b2', parents: ['a1'], dependsOn: [], branchLabels: [], file: 'v/b2.py', line: 1, parentsLine: 2 },
    { id: 'c3', parents: ['a1'], dependsOn: [], branchLabels: [], file: 'v/c3.py', line: 1, parentsLine: 2 },
  ],
  problems: [],
}

const flask = {
  projectDir: '/p',
  iniPath: '/p/migrations/alembic.ini',
  scriptLocation: '/p/migrations',
  flaskMigrate: true,
}

describe('commands in the words of the tool the project uses', () => {
  it('Flask-Migrate: flask db merge / upgrade / heads, with -d for another directory', () => {
    const [f] = checkChain(twoHeads, alembicWordingFor(flask))
    expect(f?.message).toContain('`flask db upgrade` fails with "Multiple head revisions are present')
    expect(f?.fix).toContain('Run `flask db merge heads -m "merge heads"` and commit the merge revision')
    expect(f?.message).not.toMatch(/`alembic /)
    expect(alembicCommand({ ...flask, scriptLocation: '/p/db/migrations' }, 'heads')).toBe(
      'flask db heads -d db/migrations',
    )
    expect(alembicWordingFor(flask).missing('x9')).toContain('even `flask db heads`, fails')
  })

  it('Alembic: -c where the ini is not the project root alembic.ini', () => {
    const config = {
      projectDir: '/p',
      iniPath: '/p/config/alembic.ini',
      scriptLocation: '/p/alembic',
      flaskMigrate: false,
    }
    const [f] = checkChain(twoHeads, alembicWordingFor(config))
    expect(f?.message).toContain('`alembic -c config/alembic.ini upgrade head` fails')
    expect(f?.fix).toContain('`alembic -c config/alembic.ini merge heads -m "merge heads"`')
    expect(alembicCommand({ ...config, iniPath: '/p/alembic.ini' }, 'heads')).toBe('alembic heads')
  })
})
