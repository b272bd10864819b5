// The job summary's lock tables: for each revision the dangerous-operation rules flagged, the locks
// the server saw its upgrade hold at commit on relations that existed before it (relation, mode,
// whether the relation was rewritten). Pure.
import type { GateReport } from '../report.js'
import { clip, code, md } from './escape.js'
import { plural } from './markdown.js'

export function lockTableLines(report: GateReport): string[] {
  const revisions = report.lint?.revisions ?? []
  if (revisions.length === 0) return []
  const out = ['### Locks taken by flagged revisions', '']
  for (const r of revisions.slice(0, 50)) {
    out.push(`**${code(clip(r.revision, 60))}**`, '')
    if (r.locks.length === 0) out.push('_No lock on a relation that existed before it._', '')
    else {
      out.push('| relation | mode | rewrite |', '|---|---|---|')
      for (const l of r.locks.slice(0, 50)) {
        out.push(`| ${code(clip(l.relation, 120))} | ${md(l.mode)} | ${l.rewritten ? '**yes**' : 'no'} |`)
      }
      if (r.locks.length > 50) out.push(`| … ${plural(r.locks.length - 50, 'more relation')} | | |`)
      out.push('')
    }
    const notes = [
      r.created > 0 ? `${plural(r.created, 'relation')} the step created left out (their locks block nobody)` : '',
      r.locksComplete
        ? ''
        : 'part of the step ran outside a transaction the gate could look into (an autocommit block, a non-transactional file, a Django migration with atomic = False), so its locks there are not listed',
    ].filter(Boolean)
    if (notes.length > 0) out.push(`_${notes.join('; ')}._`, '')
  }
  if (revisions.length > 50)
    out.push(`_${plural(revisions.length - 50, 'more flagged revision')}: the JSON report has them._`, '')
  return out
}
