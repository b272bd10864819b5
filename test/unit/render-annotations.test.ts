// Annotations over reports recorded from real runs (render-reports.ts): paths relative to the repository root when the project is
// a subdirectory, titled by finding id, within GitHub's per-step caps, the rest listed as omitted.
import { describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { ANNOTATIONS_PER_SEVERITY, planAnnotations, repositoryPath } from '../../src/render/annotations.js'
import { fixtures, recorded, repoRoot } from './render-reports.js'

const fail = recorded('enum-residue-stairway')
const pass = recorded('clean-stairway')
const many = recorded('missing-parents-25')

describe('annotations', () => {
  it('annotate each finding at its file and line, relative to the repository root, titled by id', () => {
    const plan = planAnnotations(fail, { rootDir: repoRoot })
    expect(plan.omitted).toEqual([])
    expect(plan.annotations).toEqual([
      {
        severity: 'error',
        title: 'migration-gate: downgrade-residue (32c3ebc38184)',
        file: 'test/fixtures/alembic-enum-residue/alembic/versions/32c3ebc38184_create_feedback.py',
        line: 39, // def downgrade(): the downgrade is what leaves the residue
        message: expect.stringContaining('does not restore the schema'),
      },
    ])
    // The message, its fix on a line of its own, then the details.
    expect(plan.annotations[0]!.message.split('\n').slice(1)).toEqual([
      'Fix: Make the downgrade undo everything the upgrade does; it still needs `DROP TYPE mood`.',
      '- type mood (enum): present now, absent before',
      '- upgrading again then fails: DuplicateObject: type "mood" already exists',
    ])
  })

  it('use the project-relative path when the project is the repository root', () => {
    const plan = planAnnotations(fail, { rootDir: join(fixtures, 'alembic-enum-residue') })
    expect(plan.annotations[0]!.file).toBe('alembic/versions/32c3ebc38184_create_feedback.py')
  })

  it('leave the file out when the project lies outside the repository root', () => {
    const plan = planAnnotations(fail, { rootDir: join(repoRoot, 'src') })
    expect(plan.annotations[0]!.file).toBeUndefined()
    expect(plan.annotations[0]!.line).toBeUndefined()
    expect(repositoryPath('/a/b', 'c.py', '/a/b')).toBe('c.py')
    expect(repositoryPath('/a/b', 'c.py', '/a/b/c.py')).toBeUndefined()
  })

  it('are none for a passing run', () => {
    expect(planAnnotations(pass, { rootDir: repoRoot })).toEqual({ annotations: [], omitted: [] })
  })

  it('stop at 10 per severity per step, counting what the step says besides (setFailed, warnings)', () => {
    const errors = many.findings.filter((f) => f.severity === 'error' && f.file)
    expect(errors.length).toBeGreaterThanOrEqual(25)
    const plain = planAnnotations(many, { rootDir: repoRoot })
    expect(plain.annotations).toHaveLength(ANNOTATIONS_PER_SEVERITY)
    expect(plain.omitted).toHaveLength(errors.length - 10)
    const reserved = planAnnotations(many, { rootDir: repoRoot, reserved: { error: 1, warning: 10 } })
    expect(reserved.annotations).toHaveLength(9)
    expect(reserved.omitted).toHaveLength(errors.length - 9)
    // The first findings are the ones annotated, the omitted ones are exactly the rest.
    expect([...reserved.annotations.map((a) => a.title), ...reserved.omitted.map((f) => f.id)]).toHaveLength(
      errors.length,
    )
    expect(reserved.annotations[0]!.title).toBe(`migration-gate: missing-parent (${errors[0]!.revision})`)
  })
})
