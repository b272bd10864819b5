// The runs behind the renderer tests' recorded reports (scripts/record-reports.ts writes them to
// test/unit/reports/): runGate over the fixtures (a real PostgreSQL, the Alembic that
// pythonWithAlembic finds), over Alembic projects generated here for what no fixture has (hostile
// revision ids and messages, a 500-revision chain, thousands of findings), and over pull requests in
// real git repositories whose base moved on (stale-parent, two heads). The tests themselves only read
// the recorded files, so they need no server and no Python.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runGate } from '../../src/gate.js'
import { readConfig } from '../../src/inputs.js'
import { silentLogger } from '../../src/logger.js'
import type { GateReport } from '../../src/report.js'
import { CLEAN_HEAD, fixtures, HOSTILE } from '../unit/render-reports.js'
import { revisionFile, TestRepo } from './git.js'
import { productionAt, sql } from './live.js'
import { pythonWithAlembic } from './python.js'
import { startTestServer } from './server.js'

/** runGate over a directory, with local PostgreSQL binaries and the interpreter with Alembic that test/support/python.ts finds. */
export async function gateReport(projectDir: string, inputs: Record<string, string> = {}): Promise<GateReport> {
  const python = await pythonWithAlembic()
  const all: Record<string, string> = { 'working-directory': projectDir, postgres: 'local', python, ...inputs }
  return runGate(
    readConfig((name) => all[name]),
    { logger: silentLogger },
  )
}

export interface Revision {
  id: string
  parents: string[]
  message: string
}

/** A Python string literal for any text (JSON's escapes are valid Python for these characters). */
const py = (s: string) => JSON.stringify(s)

/**
 * An Alembic project as `alembic init` + `alembic revision` would write it, with the given revisions
 * (file names from the index, so any id or message is fine), in `into` or a new temporary directory.
 * Static mode reads it without Python.
 */
export function alembicProject(revisions: Revision[], dir: string): string {
  const versions = join(dir, 'migrations', 'versions')
  mkdirSync(versions, { recursive: true })
  writeFileSync(join(dir, 'alembic.ini'), '[alembic]\nscript_location = migrations\n')
  writeFileSync(join(dir, 'migrations', 'env.py'), 'raise SystemExit("static tests never run env.py")\n')
  writeFileSync(join(dir, 'migrations', 'script.py.mako'), '')
  revisions.forEach((r, i) => {
    const down =
      r.parents.length === 0 ? 'None' : r.parents.length === 1 ? py(r.parents[0]!) : `(${r.parents.map(py).join(', ')})`
    writeFileSync(
      join(versions, `${String(i).padStart(4, '0')}_revision.py`),
      [
        `"""${r.message.replace(/\\/g, '\\\\').replace(/"""/g, '\\"\\"\\"')}`,
        '',
        `Revision ID: ${r.id}`,
        '"""',
        'from alembic import op',
        '',
        `revision = ${py(r.id)}`,
        `down_revision = ${down}`,
        'branch_labels = None',
        'depends_on = None',
        '',
        '',
        'def upgrade():',
        '    pass',
        '',
        '',
        'def downgrade():',
        '    pass',
        '',
      ].join('\n'),
    )
  })
  return dir
}

/** Two heads and a missing parent, every id and message hostile. */
export function hostileRevisions(): Revision[] {
  return [
    { id: 'base', parents: [], message: `base ${HOSTILE}` },
    { id: 'x"]<b>|`', parents: ['base'], message: `one head ${HOSTILE}` },
    { id: 'other', parents: ['base'], message: `other head ${HOSTILE}` },
    { id: 'orphan', parents: ['<img src=x onerror=alert(1)>'], message: `orphan ${HOSTILE}` },
  ]
}

/** A linear chain of `n` revisions with a second head branching off in the middle. */
export function longChain(n: number): Revision[] {
  const id = (i: number) => `r${String(i).padStart(4, '0')}`
  const list: Revision[] = Array.from({ length: n }, (_, i) => ({
    id: id(i),
    parents: i === 0 ? [] : [id(i - 1)],
    message: `step ${i}`,
  }))
  const mid = Math.floor(n / 2)
  list.push({ id: 'branchy', parents: [id(mid)], message: 'a second head in the middle' })
  return list
}

/** `n` revisions whose parents do not exist: one missing-parent finding each, long messages. */
export function manyMissingParents(n: number): Revision[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `m${i}`,
    parents: [`gone${i}`],
    message: `revision ${i} ${HOSTILE}`,
  }))
}

export type PrScenario = 'stale' | 'mergeCheckout' | 'ownHeads' | 'sqlStale' | 'longStale'

/**
 * Pull requests judged against main (static mode, base-ref main), each in its own git repository
 * under `dir`:
 * - stale: main and the branch each add a revision on alembic-clean's head (x on main, y on the
 *   branch, checked out): stale-parent on y; main's head x is not in the branch.
 * - mergeCheckout: the same merged, as GitHub checks out a pull request (refs/pull/N/merge): two
 *   heads in the tree, reported as stale-parent; x is in the tree.
 * - ownHeads: main did not move; the branch adds y and z on the head: multiple-heads.
 * - sqlStale: golang-migrate; main merged 20240215000000, the branch adds 20240210000000.
 * - longStale: a 120-revision chain; main adds 8 revisions on its head, the branch one more: the diagram
 *   is cut, main's head is 8 revisions from the fork.
 */
export async function prReports(dir: string): Promise<Record<PrScenario, GateReport>> {
  const versions = 'alembic/versions'
  const y = revisionFile('2b2b2b2b2b2b', CLEAN_HEAD, 'orgs', 'y')
  const x = revisionFile('1a1a1a1a1a1a', CLEAN_HEAD, 'orgs', 'x')
  const alembicPr = (name: string, onMain: Record<string, string>, onBranch: Record<string, string>): TestRepo => {
    const repo = TestRepo.init(join(dir, name)).copyFixture('alembic-clean')
    repo.commit('base: alembic-clean')
    repo.checkout('pr', true)
    for (const [file, text] of Object.entries(onBranch)) repo.write(file, text)
    repo.commit('PR')
    repo.checkout('main')
    for (const [file, text] of Object.entries(onMain)) repo.write(file, text)
    if (Object.keys(onMain).length > 0) repo.commit('main moves on')
    return repo.checkout('pr')
  }

  const stale = alembicPr(
    'stale',
    { [`${versions}/1a1a1a1a1a1a_add_x.py`]: x },
    { [`${versions}/2b2b2b2b2b2b_add_y.py`]: y },
  )
  const merge = alembicPr(
    'merge',
    { [`${versions}/1a1a1a1a1a1a_add_x.py`]: x },
    { [`${versions}/2b2b2b2b2b2b_add_y.py`]: y },
  )
  merge.checkout('main').checkout('merge', true).git('merge', '-q', '--no-ff', 'pr', '-m', 'Merge pr into main')
  const own = alembicPr(
    'own',
    {},
    {
      [`${versions}/2b2b2b2b2b2b_add_y.py`]: y,
      [`${versions}/3c3c3c3c3c3c_add_z.py`]: revisionFile('3c3c3c3c3c3c', CLEAN_HEAD, 'orgs', 'z'),
    },
  )

  const sql = TestRepo.init(join(dir, 'sql')).copyFixture('sql-golang-clean')
  sql.commit('base: sql-golang-clean')
  sql.checkout('pr', true)
  sql.write('migrations/20240210000000_add_muted.up.sql', 'ALTER TABLE accounts ADD COLUMN muted boolean;\n')
  sql.write('migrations/20240210000000_add_muted.down.sql', 'ALTER TABLE accounts DROP COLUMN muted;\n')
  sql.commit('PR: add muted')
  sql.checkout('main')
  sql.write('migrations/20240215000000_add_plan_limits.up.sql', 'ALTER TABLE subscriptions ADD COLUMN seats int;\n')
  sql.write('migrations/20240215000000_add_plan_limits.down.sql', 'ALTER TABLE subscriptions DROP COLUMN seats;\n')
  sql.commit('main: add plan limits')
  sql.checkout('pr')

  const long = new TestRepo(
    alembicProject(
      longChain(120).filter((r) => r.id !== 'branchy'),
      join(dir, 'long'),
    ),
  )
  const tip = 'r0119'
  long.git('init', '-q', '-b', 'main')
  long.commit('base: 120 revisions')
  long.checkout('pr', true).write('migrations/versions/9000_pr.py', revisionFile('f00d00000001', tip, 'orgs', 'y'))
  long.commit('PR: one revision')
  long.checkout('main')
  for (let i = 0; i < 8; i++) {
    const id = `main${i}`
    long.write(`migrations/versions/8${i}00_main.py`, revisionFile(id, i === 0 ? tip : `main${i - 1}`, 'orgs', `m${i}`))
  }
  long.commit('main: 8 revisions')
  long.checkout('pr')

  const judge = (repo: TestRepo) => gateReport(repo.dir, { mode: 'static', 'base-ref': 'main' })
  const [a, b, c, d, e] = await Promise.all([judge(stale), judge(merge), judge(own), judge(sql), judge(long)])
  return { stale: a, mergeCheckout: b, ownHeads: c, sqlStale: d, longStale: e }
}

/**
 * A real PR on git (test/unit/render-comment.test.ts): main has alembic-enum-residue; the branch adds
 * a revision whose upgrade fails, so the residue is a pre-existing notice.
 */
async function preExistingReport(dir: string): Promise<GateReport> {
  const repo = TestRepo.init(dir).copyFixture('alembic-enum-residue')
  repo.commit('base')
  repo.checkout('feature', true)
  const bad = revisionFile('5b0c1d2e3f40', '13ef259690e1', 'users', 'nickname').replace(
    'def upgrade() -> None:\n',
    'def upgrade() -> None:\n    op.execute("SELECT 1/0")\n',
  )
  repo.write('alembic/versions/5b0c1d2e3f40_add_nickname_to_users.py', bad).commit('nickname')
  return gateReport(dir, { 'base-ref': 'main', 'model-drift': 'false' })
}

/**
 * Every report the renderer tests read, by the name of its file in test/unit/reports/. Generated
 * projects and repositories go under `scratch` with fixed names, so the recorder can replace that one
 * directory by a placeholder.
 */
export async function allReports(scratch: string): Promise<Record<string, GateReport>> {
  const generated = (name: string, revisions: Revision[]) =>
    gateReport(alembicProject(revisions, join(scratch, name)), { mode: 'static' })
  // Real PostgreSQL runs first, two at a time; then the static ones.
  const [fail, pass] = await Promise.all([
    gateReport(join(fixtures, 'alembic-enum-residue')),
    gateReport(join(fixtures, 'alembic-clean')),
  ])
  const preExisting = await preExistingReport(join(scratch, 'pre-existing'))
  const reports: Record<string, GateReport> = {
    'enum-residue-stairway': fail,
    'clean-stairway': pass,
    'pre-existing-residue': preExisting,
    'two-heads-static': await gateReport(join(fixtures, 'alembic-chain-two-heads'), { mode: 'static' }),
    'sql-golang-chain-static': await gateReport(join(fixtures, 'sql-golang-chain'), { mode: 'static' }),
    hostile: await generated('hostile', hostileRevisions()),
    'terminal-escapes': await generated('terminal-escapes', [
      // A revision message carrying terminal escape sequences (clear screen, retitle the window).
      { id: 'a1', parents: [], message: 'base' },
      { id: 'b2', parents: ['a1'], message: 'one \x1b[2J\x1b]0;owned\x07 head' },
      { id: 'c3', parents: ['a1'], message: 'other head' },
    ]),
    'long-chain-500': await generated('long-chain-500', longChain(500)),
    'missing-parents-25': await generated('missing-parents-25', manyMissingParents(25)),
    'missing-parents-2500': await generated('missing-parents-2500', manyMissingParents(2500)),
  }
  const pr = await prReports(join(scratch, 'pr'))
  reports['pr-stale'] = pr.stale
  reports['pr-merge-checkout'] = pr.mergeCheckout
  reports['pr-own-heads'] = pr.ownHeads
  reports['pr-sql-stale'] = pr.sqlStale
  reports['pr-long-stale'] = pr.longStale
  Object.assign(reports, await liveReports())
  return reports
}

/**
 * mode live against a database a second server holds, migrated by real Alembic: 4 revisions behind
 * head, and stamped at a revision no file declares.
 */
async function liveReports(): Promise<Record<string, GateReport>> {
  const server = await startTestServer()
  try {
    const project = join(fixtures, 'alembic-clean')
    const behind = await productionAt(server, project, '2408316dc6a3')
    const unknown = await productionAt(server, project, 'head')
    await sql(unknown.url, "UPDATE alembic_version SET version_num = 'feedfacecafe'")
    return {
      'live-behind': await gateReport(project, { mode: 'live', 'live-database-url': behind.url }),
      'live-unknown-revision': await gateReport(project, { mode: 'live', 'live-database-url': unknown.url }),
    }
  } finally {
    await server.stop()
  }
}
