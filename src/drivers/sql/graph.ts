// The revision graph of a SQL migrations directory: a straight line in the tool's order (each
// version's parent is the previous version), so the generic heads, bases and topological order
// work unchanged. Findings only a versioned directory can have are made here: duplicated versions,
// versions without down SQL, files the tool cannot use.
import path from 'node:path'
import type { IrreversiblePolicy } from '../../checks/replay-context.js'
import type { Finding } from '../../report.js'
import { duplicateVersion } from '../../findings/duplicate-revision.js'
import { emptyMigration } from '../../findings/empty-migration.js'
import { irreversibleMigration } from '../../findings/irreversible-migration.js'
import { unparseableMigration } from '../../findings/unparseable-migration.js'
import type { RevisionGraph, RevisionNode } from '../driver.js'
import { compareVersions, type SqlDirectory, type SqlMigration } from './model.js'
import { SQL_WORDING, type SqlWording } from './wording.js'

export interface SqlGraph extends RevisionGraph {
  /** The migration replayed for each version: the first file of a duplicated version. */
  byVersion: Map<string, SqlMigration>
}

export function sqlGraph(directory: SqlDirectory, policy: IrreversiblePolicy): SqlGraph {
  const words = SQL_WORDING[directory.format]
  const graph: SqlGraph = { nodes: [], problems: [], byVersion: new Map() }
  const groups = new Map<string, SqlMigration[]>()
  for (const m of directory.migrations) groups.set(m.version, [...(groups.get(m.version) ?? []), m])
  // The newest version any file declares, readable or not: a renamed file must come after all of them.
  const latest = [...directory.migrations.map((m) => m.version), ...directory.unreadable.map((u) => u.version)]
    .filter((v): v is string => v !== undefined)
    .sort((a, b) => compareVersions(directory.format, a, b))
    .at(-1)

  // Each duplicate is told a version of its own: two fixes naming the same free version would collide.
  // Taken: every version in use, and the leading number of each misnamed file (its own fix, a rename
  // keeping the number, would otherwise collide with the version suggested here).
  const leadingNumber = (file: string) => /^(\d+)/.exec(path.posix.basename(file))?.[1]
  const taken = new Set(
    [...groups.keys(), ...directory.unreadable.flatMap((u) => [u.version ?? '', leadingNumber(u.file) ?? ''])]
      .filter((v) => /^\d+$/.test(v))
      .map((v) => BigInt(v).toString()),
  )
  const freeVersion = (): string | undefined => {
    if (directory.format !== 'golang-migrate' || latest === undefined || !/^\d+$/.test(latest)) return undefined
    let next = BigInt(latest) + 1n
    while (taken.has(String(next))) next++
    taken.add(String(next))
    return String(next)
  }

  let previous: string | undefined
  for (const [version, group] of groups) {
    // Files of one version in file order: the first is the one replayed (and the one kept by the index).
    const [first, ...others] = [...group].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
    if (!first) continue
    graph.byVersion.set(version, first)
    const node: RevisionNode = {
      id: version,
      parents: previous === undefined ? [] : [previous],
      dependsOn: [],
      branchLabels: [],
      file: first.file,
      line: 1,
      message: first.name || first.file,
    }
    const down = first.down[0]
    if (down) {
      node.downgradeFile = down.file
      node.downgradeLine = down.line
    }
    graph.nodes.push(node)
    previous = version
    if (others.length > 0)
      graph.problems.push(duplicate(version, first, others, latest ?? version, words, freeVersion()))
    // Each file of the version: a duplicate that is empty is a second mistake in its own file.
    for (const m of [first, ...others]) graph.problems.push(...emptyUps(m, words))
    if (first.noDown) graph.problems.push(irreversible(first, policy, words.noDown))
  }

  for (const u of directory.unreadable) {
    graph.problems.push(
      unparseableMigration(
        { file: u.file, problem: `cannot be used as a migration: ${u.reason}`, fix: `${u.fix}.` },
        { ...(u.version !== undefined ? { revision: u.version } : {}), file: u.file, line: u.line },
      ),
    )
  }
  return graph
}

function duplicate(
  version: string,
  first: SqlMigration,
  others: SqlMigration[],
  latest: string,
  words: (typeof SQL_WORDING)[keyof typeof SQL_WORDING],
  free: string | undefined,
): Finding {
  const all = [first, ...others]
  const newest = others.at(-1) as SqlMigration
  return duplicateVersion(
    {
      version,
      files: all.map((m) => m.file),
      consequence: words.duplicate,
      newest: newest.file,
      rename: words.rename(latest, free),
    },
    {
      revision: version,
      file: newest.file,
      line: 1,
      details: [
        ...all.map((m) => `${m.file}  ${m.name}`),
        `the gate replays only ${first.file} for version ${version}`,
      ],
    },
  )
}

/**
 * A warning at each up with nothing in it. The tools accept it as a no-op (golang-migrate sends
 * nothing, dbmate sends its marker comment) and record the version, so it is no error; but an up
 * that says nothing, not even why, is almost always a file that was never saved or filled in.
 */
function emptyUps(m: SqlMigration, words: SqlWording): Finding[] {
  return m.up
    .filter((u) => u.empty)
    .map((u) =>
      emptyMigration(
        { ...words.emptyUp(u.file, u.line), tool: words.chain.tool ?? 'the tool', version: m.version },
        { revision: m.version, file: u.file, line: u.line },
      ),
    )
}

function irreversible(m: SqlMigration, policy: IrreversiblePolicy, noDown: string): Finding {
  const reason = policy.allow.get(m.version)
  return irreversibleMigration(
    {
      what: `${m.version} ("${m.name}")`,
      why: m.noDown ?? 'it has no down SQL',
      ...(reason ? { allowed: reason } : {}),
      consequence: noDown,
      fix: 'write the down SQL, or allow-list the version with a reason.',
    },
    { revision: m.version, file: m.file, line: 1 },
    policy.severity,
  )
}
