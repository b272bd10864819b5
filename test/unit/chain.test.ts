import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { checkChain } from '../../src/checks/chain.js'
import { bases, heads, topologicalOrder } from '../../src/checks/topo.js'
import type { RevisionGraph, RevisionNode } from '../../src/drivers/driver.js'
import { readAlembicGraph } from '../../src/drivers/alembic/graph.js'
import { alembicWording } from '../../src/drivers/alembic/wording.js'
import type { Finding } from '../../src/report.js'

const FIXTURES = path.resolve(__dirname, '../fixtures')

/** A node from a compact spec: 'id <- p1 p2', with optional extras. */
function node(spec: string, extra: Partial<RevisionNode> = {}): RevisionNode {
  const [id = '', parents = ''] = spec.split('<-').map((s) => s.trim())
  return {
    id,
    parents: parents ? parents.split(/\s+/) : [],
    dependsOn: [],
    branchLabels: [],
    file: `versions/${id}.py`,
    line: 10,
    parentsLine: 11,
    ...extra,
  }
}
const graph = (...nodes: RevisionNode[]): RevisionGraph => ({ nodes, problems: [] })
const ids = (findings: Finding[]): [string, string | undefined][] => findings.map((f) => [f.id, f.revision])

describe('checkChain over the Alembic fixtures: exact findings', () => {
  const cases: [string, [string, string | undefined][], Partial<Finding>[]][] = [
    ['alembic-chain-branch-merge', [], []],
    ['alembic-chain-modern', [], []],
    ['alembic-chain-labels', [], []],
    [
      'alembic-chain-two-heads',
      [['multiple-heads', 'c4b81e2f7d93']],
      [{ file: 'migrations/versions/c4b81e2f7d93_add_last_login_at_to_users.py', line: 14 }],
    ],
    [
      'alembic-chain-missing-parent',
      [
        ['missing-parent', '0c9e3b5a1f74'],
        ['missing-parent', 'e2a6c8d4b093'],
      ],
      [
        { file: 'alembic/versions/0c9e3b5a1f74_create_products_table.py', line: 16 },
        { file: 'alembic/versions/e2a6c8d4b093_create_orders_table.py', line: 14 },
      ],
    ],
    [
      'alembic-chain-duplicate',
      [['duplicate-revision', '6b2d8f4a0e19']],
      [{ file: 'alembic/versions/6b2d8f4a0e19_create_products_table.py', line: 13 }],
    ],
    [
      'alembic-chain-cycle',
      [['revision-cycle', '1c5e9a3f7d64']],
      [{ file: 'alembic/versions/1c5e9a3f7d64_create_orders_table.py', line: 14 }],
    ],
    [
      'alembic-chain-unparseable',
      [['unparseable-migration', '8e2c6a0f4b75']],
      [{ file: 'alembic/versions/8e2c6a0f4b75_add_last_login_at_to_users.py', line: 14 }],
    ],
  ]
  it.each(cases)('%s', async (fixture, expected, where) => {
    const g = await readAlembicGraph(path.join(FIXTURES, fixture))
    const findings = [...g.problems, ...checkChain(g, alembicWording)]
    expect(ids(findings)).toEqual(expected)
    where.forEach((w, i) => expect(findings[i]).toMatchObject(w))
    for (const f of findings) expect(f.severity).toBe('error')
  })

  it('names every head, where each lives, and both fixes for two heads', async () => {
    const g = await readAlembicGraph(path.join(FIXTURES, 'alembic-chain-two-heads'))
    const [f] = checkChain(g, alembicWording)
    expect(f?.message).toBe(
      '2 head revisions: 3a7f9d0e6c12 (migrations/versions/3a7f9d0e6c12_create_orders_table.py), c4b81e2f7d93 (migrations/versions/c4b81e2f7d93_add_last_login_at_to_users.py). ' +
        '`alembic upgrade head` fails with "Multiple head revisions are present for given argument \'head\'", so the deploy stops.',
    )
    // The fix apart from the message (the summary folds it under the row).
    expect(f?.fix).toBe(
      'Run `alembic merge heads -m "merge heads"` and commit the merge revision, or if c4b81e2f7d93 has not been applied anywhere yet, ' +
        "set down_revision in migrations/versions/c4b81e2f7d93_add_last_login_at_to_users.py (line 14) to '3a7f9d0e6c12'.",
    )
    expect(f?.details).toEqual([
      '3a7f9d0e6c12  migrations/versions/3a7f9d0e6c12_create_orders_table.py:13  create orders table',
      'c4b81e2f7d93  migrations/versions/c4b81e2f7d93_add_last_login_at_to_users.py:13  add last_login_at to users',
    ])
  })

  it('lists the cycle in order, the duplicate’s files, and the missing ids', async () => {
    const cycle = checkChain(await readAlembicGraph(path.join(FIXTURES, 'alembic-chain-cycle')), alembicWording)[0]
    expect(cycle?.message).toContain('1c5e9a3f7d64 -> d7a1e5c9b342 -> 6e0a4c8f2d53 -> 1c5e9a3f7d64')
    const dup = checkChain(await readAlembicGraph(path.join(FIXTURES, 'alembic-chain-duplicate')), alembicWording)[0]
    expect(dup?.message).toContain(
      'alembic/versions/6b2d8f4a0e19_add_last_login_at_to_users.py:13, alembic/versions/6b2d8f4a0e19_create_products_table.py:13',
    )
    const [dep, parent] = checkChain(
      await readAlembicGraph(path.join(FIXTURES, 'alembic-chain-missing-parent')),
      alembicWording,
    )
    expect(dep?.message).toContain(
      "names depends_on 'f00dfacefeed', but 'f00dfacefeed' is neither a revision id nor a branch label",
    )
    expect(parent?.message).toContain("names down_revision '9b3f1d7e5c28', but no revision '9b3f1d7e5c28' exists")
    expect(parent?.fix).toContain('(the current head is 0c9e3b5a1f74)')
  })
})

describe('checkChain: heads and branch labels', () => {
  it('accepts labelled branches and an unlabelled trunk beside them (Alembic’s multi-base workflow)', () => {
    const g = graph(
      node('a'),
      node('b <- a'),
      node('n1', { branchLabels: ['networking'] }),
      node('n2 <- n1'),
      node('s1', { branchLabels: ['shop'] }),
    )
    expect(checkChain(g, alembicWording)).toEqual([])
  })

  it('reports a fork inside a labelled branch, and merges only the heads without a label of their own', () => {
    const g = graph(
      node('a'),
      node('b <- a'),
      node('n1', { branchLabels: ['networking'] }),
      node('n2 <- n1'),
      node('n3 <- n1'),
    )
    const [f, ...rest] = checkChain(g, alembicWording)
    expect(rest).toEqual([])
    expect(f).toMatchObject({ id: 'multiple-heads', revision: 'n3', file: 'versions/n3.py', line: 11 })
    expect(f?.message).toContain(
      '3 head revisions: b (versions/b.py), n2 (branch networking, versions/n2.py), n3 (branch networking, versions/n3.py)',
    )
    expect(f?.fix).toContain('`alembic merge -m "merge heads" n2 n3`')
    expect(f?.fix).toContain("set down_revision in versions/n3.py (line 11) to 'n2'")
  })

  it('reports two unlabelled heads even when a labelled one is fine', () => {
    const g = graph(node('a'), node('b <- a'), node('c <- a'), node('n1', { branchLabels: ['net'] }))
    expect(ids(checkChain(g, alembicWording))).toEqual([['multiple-heads', 'c']])
  })

  it('points at the deepest head and the first revision after the fork', () => {
    const g = graph(node('a'), node('b <- a'), node('z1 <- a'), node('z2 <- z1'), node('z3 <- z2'))
    const [f] = checkChain(g, alembicWording)
    expect(f).toMatchObject({ id: 'multiple-heads', revision: 'z3' })
    expect(f?.fix).toContain(
      "if the branch ending in z3 has not been applied anywhere yet, set down_revision in versions/z1.py (line 11) to 'b'",
    )
  })

  it('speaks generically for a tool without its own words, and still respects labels a graph carries', () => {
    const g = graph(node('a'), node('b'))
    const found = checkChain(g, { tool: 'dbmate' })
    expect(ids(found)).toEqual([
      ['multiple-bases', 'b'],
      ['multiple-heads', 'b'],
    ])
    expect(found[0]?.fix).not.toContain('branch label')
    expect(found[1]?.message).toContain('Upgrading to the head fails: dbmate cannot tell which revision is the latest.')
    expect(found[1]?.fix).toContain("set parent in versions/b.py (line 11) to 'a'")
    expect(checkChain(g)[1]?.message).toContain('the migration tool cannot tell')
    const labelled = graph(node('a', { branchLabels: ['x'] }), node('b', { branchLabels: ['y'] }))
    expect(checkChain(labelled, { tool: 'alembic' })).toEqual([])
  })

  it('does not count depends_on as making a head', () => {
    const g = graph(node('a'), node('b <- a'), node('c <- a', { dependsOn: ['b'] }))
    expect(heads(g)).toEqual(['b', 'c'])
    expect(ids(checkChain(g, alembicWording))).toEqual([['multiple-heads', 'c']])
  })
})

describe('checkChain: bases, missing parents, cycles', () => {
  it('reports a second unlabelled base, and accepts a labelled one', () => {
    const g = graph(node('a'), node('b <- a'), node('x'), node('m <- b x'))
    const [f, ...rest] = checkChain(g, alembicWording)
    expect(rest).toEqual([])
    expect(f).toMatchObject({ id: 'multiple-bases', revision: 'x', file: 'versions/x.py' })
    expect(f?.message).toContain('2 first revisions (no down_revision): a (versions/a.py), x (versions/x.py)')
    const labelled = graph(node('a'), node('b <- a'), node('x', { branchLabels: ['other'] }), node('m <- b x'))
    expect(checkChain(labelled, alembicWording)).toEqual([])
  })

  it('resolves depends_on and down_revision through branch labels, as Alembic’s map does', () => {
    const g = graph(
      node('a', { branchLabels: ['core'] }),
      node('b <- a'),
      node('n1', { branchLabels: ['net'], dependsOn: ['core'] }),
      node('n2 <- net'),
    )
    expect(checkChain(g, alembicWording)).toEqual([])
    expect(topologicalOrder(g)).toEqual(['a', 'b', 'n1', 'n2'])
  })

  it('reports a missing depends_on at its own line', () => {
    const g = graph(node('a'), node('b <- a', { dependsOn: ['zz'], dependsOnLine: 14 } as Partial<RevisionNode>))
    expect(checkChain(g, alembicWording)).toMatchObject([{ id: 'missing-parent', revision: 'b', line: 14 }])
  })

  it('does not call a parent missing when its file is the unparseable one', () => {
    const g: RevisionGraph = {
      nodes: [node('a'), node('c <- b')],
      problems: [
        { id: 'unparseable-migration', severity: 'error', message: 'x', revision: 'b', file: 'versions/b.py', line: 3 },
      ],
    }
    expect(checkChain(g, alembicWording)).toEqual([])
  })

  it('reports a self-reference and a cycle through depends_on', () => {
    // b names itself, so it has a child (itself) and is no head: a is the only head.
    expect(ids(checkChain(graph(node('a'), node('b <- b')), alembicWording))).toEqual([['revision-cycle', 'b']])
    const viaDeps = checkChain(graph(node('a'), node('b <- a', { dependsOn: ['c'] }), node('c <- b')), alembicWording)
    expect(ids(viaDeps)).toEqual([['revision-cycle', 'b']])
    expect(viaDeps[0]?.message).toContain('b -> c -> b (each names the next as its depends_on or down_revision)')
  })

  it('handles a history of thousands of revisions without deep recursion', () => {
    const nodes = [node('r0')]
    for (let i = 1; i < 20_000; i++) nodes.push(node(`r${i} <- r${i - 1}`))
    nodes.push(node('fork <- r0'))
    const found = checkChain(graph(...nodes), alembicWording)
    expect(ids(found)).toEqual([['multiple-heads', 'r19999']])
    expect(found[0]?.fix).toContain("set down_revision in versions/r1.py (line 11) to 'fork'")
  })
})

describe('heads, bases, topologicalOrder', () => {
  const g = graph(node('m <- b c'), node('c <- a'), node('b <- a'), node('a'), node('d <- m'), node('x'))

  it('finds heads and bases', () => {
    expect(heads(g)).toEqual(['d', 'x'])
    expect(bases(g)).toEqual(['a', 'x'])
  })

  it('puts parents first, walks one branch to its end, and does not depend on input order', () => {
    expect(topologicalOrder(g)).toEqual(['a', 'b', 'c', 'm', 'd', 'x'])
    const shuffled = graph(...[...g.nodes].reverse())
    expect(topologicalOrder(shuffled)).toEqual(topologicalOrder(g))
    const branches = graph(node('a'), node('b1 <- a'), node('c1 <- a'), node('b2 <- b1'), node('c2 <- c1'))
    expect(topologicalOrder(branches)).toEqual(['a', 'b1', 'b2', 'c1', 'c2'])
  })

  it('orders depends_on targets first and leaves out revisions in or after a cycle', () => {
    expect(topologicalOrder(graph(node('a'), node('b', { dependsOn: ['c'] }), node('c')))).toEqual(['a', 'c', 'b'])
    expect(topologicalOrder(graph(node('a'), node('b <- c'), node('c <- b'), node('d <- c')))).toEqual(['a'])
  })

  it('ignores a missing parent', () => {
    expect(topologicalOrder(graph(node('a'), node('b <- gone')))).toEqual(['a', 'b'])
  })
})
