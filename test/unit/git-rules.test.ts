// The pure rules behind the git phase: env.py's model module, the chain on the merge result
// (stale-parent), and judging the PR rather than the whole history (scope).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { checkMergedChain } from '../../src/checks/merged-chain.js'
import { scopeFindings } from '../../src/checks/scope.js'
import { readAlembicConfig } from '../../src/drivers/alembic/config.js'
import { targetMetadataFiles, targetMetadataModules } from '../../src/drivers/alembic/target-metadata.js'
import { alembicWording } from '../../src/drivers/alembic/wording.js'
import type { RevisionGraph, RevisionNode } from '../../src/drivers/driver.js'
import type { Finding, Step } from '../../src/report.js'

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures')

describe("env.py's target_metadata module", () => {
  const cases: [string, string, string[]][] = [
    ['from X import Y', 'from models import Base\ntarget_metadata = Base.metadata\n', ['models.Base.metadata']],
    ['aliased', 'from app.db import Base as B\ntarget_metadata = B.metadata', ['app.db.Base.metadata']],
    ['import a.b', 'import myapp.models\ntarget_metadata = myapp.models.Base.metadata', ['myapp.models.Base.metadata']],
    ['import a.b as c', 'import myapp.models as m\ntarget_metadata = m.Base.metadata', ['myapp.models.Base.metadata']],
    ['relative', 'from .models import Base\ntarget_metadata = Base.metadata', ['.models.Base.metadata']],
    ['from . import', 'from . import models\ntarget_metadata = models.Base.metadata', ['.models.Base.metadata']],
    [
      'a list, bracketed imports',
      'from app import (\n    a,\n    b as bee,\n)\ntarget_metadata = [a.metadata, bee.metadata]',
      ['app.a.metadata', 'app.b.metadata'],
    ],
    [
      'through a local name',
      'from app import models\nBase = models.Base\ntarget_metadata = Base.metadata',
      ['app.models.Base.metadata'],
    ],
    ['star import', 'from app.models import *\ntarget_metadata = Base.metadata', ['app.models.Base.metadata']],
    ['None', 'target_metadata = None', []],
    ['none at all', 'import os\n', []],
    [
      'the last assignment wins',
      'from a import A\nfrom b import B\ntarget_metadata = A.metadata\ntarget_metadata = B.metadata',
      ['b.B.metadata'],
    ],
    ['unparseable', 'target_metadata = (', []],
  ]
  it.each(cases)('%s', (_name, source, expected) => {
    expect(targetMetadataModules(source)).toEqual(expected)
  })

  it('resolves to files the way sys.path would: the fixtures', () => {
    expect(targetMetadataFiles(readAlembicConfig(path.join(FIXTURES, 'alembic-clean')))).toEqual([
      path.join(FIXTURES, 'alembic-clean', 'models.py'),
    ])
    // Flask-Migrate's env.py takes the metadata from the app: no module to name.
    expect(targetMetadataFiles(readAlembicConfig(path.join(FIXTURES, 'flask-migrate-app')))).toEqual([])
  })

  const dir = mkdtempSync(path.join(tmpdir(), 'mg-target-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  it('a package under src/, a module that is a package __init__', () => {
    const write = (file: string, text = '') => {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true })
      writeFileSync(path.join(dir, file), text)
    }
    write('alembic.ini', '[alembic]\nscript_location = migrations\n')
    write('migrations/versions/.keep')
    write('src/shop/db/base.py')
    write('src/shop/catalog/__init__.py')
    write(
      'migrations/env.py',
      'from shop.db.base import Base\nimport shop.catalog as catalog\ntarget_metadata = [Base.metadata, catalog.metadata]\n',
    )
    expect(targetMetadataFiles(readAlembicConfig(dir))).toEqual([
      path.join(dir, 'src/shop/db/base.py'),
      path.join(dir, 'src/shop/catalog/__init__.py'),
    ])
  })
})

/** 'id <- parent ...' as a node in versions/<id>.py, down_revision on line 14. */
function node(spec: string): RevisionNode {
  const [id = '', parents = ''] = spec.split('<-').map((s) => s.trim())
  return {
    id,
    parents: parents ? parents.split(/\s+/) : [],
    dependsOn: [],
    branchLabels: [],
    file: `versions/${id}.py`,
    line: 13,
    parentsLine: 14,
  }
}
const graph = (...specs: string[]): RevisionGraph => ({ nodes: specs.map(node), problems: [] })
const merged = (graph_: RevisionGraph, prAdded: string[], reported: Finding[] = []) =>
  checkMergedChain({ merged: graph_, prAdded: new Set(prAdded), reported, base: 'main', wording: alembicWording })

describe('stale-parent on the merge result', () => {
  it('a PR revision on a parent the base has moved past: stale-parent naming the new head, instead of multiple-heads', () => {
    const r = merged(graph('a', 'b <- a', 'x <- b', 'y <- b'), ['y'])
    expect(r.replacesMultipleHeads).toBe(true)
    expect(r.findings.map((f) => [f.id, f.revision, f.file, f.line])).toEqual([
      ['stale-parent', 'y', 'versions/y.py', 14],
    ])
    expect(r.findings[0]?.message).toContain("main's head is now 'x'")
    expect(r.findings[0]?.fix).toContain("set down_revision in versions/y.py (line 14) to 'x'")
    expect(r.findings[0]?.message).toContain('b is followed there by x')
  })

  it('the base moved by several revisions: re-parent on the tip, not the first one', () => {
    const r = merged(graph('a', 'b <- a', 'x1 <- b', 'x2 <- x1', 'y1 <- b', 'y2 <- y1'), ['y1', 'y2'])
    expect(r.findings.map((f) => f.revision)).toEqual(['y1'])
    expect(r.findings[0]?.message).toContain("head is now 'x2'")
  })

  it('silent when the PR builds on the head, or merges the heads itself', () => {
    expect(merged(graph('a', 'b <- a', 'x <- b', 'y <- x'), ['y']).findings).toEqual([])
    expect(merged(graph('a', 'b <- a', 'x <- b', 'y <- b', 'm <- x y'), ['y', 'm']).findings).toEqual([])
  })

  it("the PR's own second head on a stale parent: one fix that leaves one head, not two that contradict", () => {
    // Sending both y and z onto x (main's head) would leave two heads; multiple-heads would then say
    // otherwise. So: y onto x, z onto y, a line; and multiple-heads is not said on top.
    const r = merged(graph('a', 'b <- a', 'x <- b', 'y <- b', 'z <- b'), ['y', 'z'])
    expect(r.replacesMultipleHeads).toBe(true)
    expect(r.findings.map((f) => [f.id, f.revision])).toEqual([
      ['stale-parent', 'y'],
      ['stale-parent', 'z'],
    ])
    expect(r.findings[0]?.fix).toContain("set down_revision in versions/y.py (line 14) to 'x'")
    expect(r.findings[1]?.fix).toContain(
      "set down_revision in versions/z.py (line 14) to 'y' (this PR's other revision, built on 'x', so the chain stays one line)",
    )
    // With a branch of its own, the next one goes after that branch's tip.
    const long = merged(graph('a', 'b <- a', 'x <- b', 'y <- b', 'y2 <- y', 'z <- b'), ['y', 'y2', 'z'])
    expect(long.findings.find((f) => f.revision === 'z')?.fix).toContain("to 'y2' (this PR's other revision")
  })

  it("the base's own problems are not the PR's; problems the tree already reported are not repeated", () => {
    // The base has two heads by itself; the PR adds on one of them.
    const twoHeadedBase = merged(graph('a', 'b <- a', 'c <- a', 'y <- c'), ['y'])
    expect(twoHeadedBase.findings).toEqual([])
    // A merged-only missing parent (the base deleted what the PR builds on) is reported, prefixed.
    const gone = merged(graph('a', 'y <- b'), ['y'])
    expect(gone.findings.map((f) => f.id)).toEqual(['missing-parent'])
    expect(gone.findings[0]?.message).toMatch(/^After merging with main as it is now: /)
    const already = merged(graph('a', 'y <- b'), ['y'], gone.findings)
    expect(already.findings).toEqual([])
  })
})

describe('scope: pre-existing replay findings', () => {
  const f = (id: Finding['id'], revision?: string, severity: Finding['severity'] = 'error'): Finding => ({
    id,
    severity,
    message: `${id} message`,
    ...(revision ? { revision } : {}),
  })
  const step = (revision: string, phase: Step['phase'], ok = true, direction: Step['direction'] = 'upgrade'): Step => ({
    revision,
    direction,
    phase,
    ms: 1,
    ok,
  })
  const findings = [
    f('downgrade-residue', 'old'),
    f('irreversible-migration', 'old', 'warning'),
    f('downgrade-failed', 'new'),
    f('multiple-heads', 'old'),
    f('model-drift'),
    f('downgrade-residue'), // roundtrip: no revision
  ]
  const steps = [step('old', 'first'), step('new', 'first')]

  it('replay findings on base revisions become notices, prefixed; everything else keeps its severity', () => {
    const r = scopeFindings({ findings, steps, prRevisions: new Set(['new']), base: 'main', strict: false })
    expect(r.findings.map((x) => `${x.id}@${x.revision ?? '-'}:${x.severity}`)).toEqual([
      'downgrade-residue@old:notice',
      'irreversible-migration@old:notice',
      'downgrade-failed@new:error',
      'multiple-heads@old:error',
      'model-drift@-:error',
      'downgrade-residue@-:error',
    ])
    expect(r.findings[0]).toMatchObject({ message: 'pre-existing: downgrade-residue message', preExisting: true })
    expect(r.findings[2]?.preExisting).toBeUndefined()
    expect(r.preExisting).toBe(2)
    expect(r.notes).toEqual([
      '2 pre-existing findings in revisions already on main (notices; strict: true fails on them): downgrade-residue on old, irreversible-migration on old',
    ])
  })

  it("an empty migration already on the base is a pre-existing notice; the PR's own stays a warning", () => {
    const empties = [f('empty-migration', 'old', 'warning'), f('empty-migration', 'new', 'warning')]
    const r = scopeFindings({ findings: empties, steps, prRevisions: new Set(['new']), base: 'main', strict: false })
    expect(r.findings.map((x) => `${x.id}@${x.revision}:${x.severity}`)).toEqual([
      'empty-migration@old:notice',
      'empty-migration@new:warning',
    ])
  })

  it('strict keeps every severity and still counts them', () => {
    const r = scopeFindings({ findings, steps, prRevisions: new Set(['new']), base: 'main', strict: true })
    expect(r.findings).toBe(findings)
    expect(r.preExisting).toBe(2)
    expect(r.notes).toEqual(['2 pre-existing findings in revisions already on main (strict: they count)'])
  })

  it('a pre-existing failed upgrade that kept the PR revisions from running stays a warning and says so', () => {
    const r = scopeFindings({
      findings: [f('upgrade-failed', 'old')],
      steps: [step('old', 'first', false)],
      prRevisions: new Set(['new']),
      base: 'main',
      strict: false,
    })
    expect(r.findings[0]).toMatchObject({ severity: 'warning', preExisting: true })
    expect(r.findings[0]?.details?.at(-1)).toBe("the replay stopped here: this PR's revision new could not be replayed")
    expect(r.notes.at(-1)).toBe("this PR's revision new not replayed: the replay stopped at old (already on main)")
  })

  it('nothing pre-existing: the findings as they were, no note', () => {
    const r = scopeFindings({
      findings: [f('downgrade-failed', 'new')],
      steps,
      prRevisions: new Set(['new']),
      base: 'main',
      strict: false,
    })
    expect(r).toMatchObject({ preExisting: 0, notes: [] })
  })
})
