// The lint inputs as readConfig reads them: the level, per-rule severities, the allow-list; bad
// values are one-line errors naming the input.
import { describe, expect, it } from 'vitest'
import { GateError } from '../../src/errors.js'
import { readConfig } from '../../src/inputs.js'
import { severityOf } from '../../src/lint/config.js'

const read = (inputs: Record<string, string>) => readConfig((name) => inputs[name])

function errorOf(inputs: Record<string, string>): GateError {
  try {
    read(inputs)
  } catch (e) {
    if (e instanceof GateError) return e
    throw e
  }
  throw new Error('no error')
}

/** readConfig with MIGRATION_GATE_LINT set to `env` (undefined: unset) for the call. */
function withLintEnv<T>(env: string | undefined, fn: () => T): T {
  const saved = process.env.MIGRATION_GATE_LINT
  if (env === undefined) delete process.env.MIGRATION_GATE_LINT
  else process.env.MIGRATION_GATE_LINT = env
  try {
    return fn()
  } finally {
    if (saved === undefined) delete process.env.MIGRATION_GATE_LINT
    else process.env.MIGRATION_GATE_LINT = saved
  }
}

describe('lint inputs', () => {
  it('default: warn, every rule at its usual severity', () => {
    const { lint } = withLintEnv(undefined, () => read({}))
    expect(lint.level).toBe('warn')
    expect(severityOf(lint, 'require-concurrent-index-creation')).toBe('warning')
    expect(severityOf(lint, 'ban-drop-column')).toBe('notice')
  })

  it('MIGRATION_GATE_LINT sets the default; a given lint wins; a bad one is named', () => {
    expect(withLintEnv('off', () => read({})).lint.level).toBe('off')
    expect(withLintEnv('off', () => read({ lint: 'error' })).lint.level).toBe('error')
    const e = withLintEnv('loud', () => errorOf({}))
    expect(e.input).toBe('lint')
    expect(e.message).toBe('lint: unknown value MIGRATION_GATE_LINT="loud" (allowed: off, warn, error)')
  })

  it('lint-rules overrides, lint off disables all', () => {
    const { lint } = read({
      lint: 'error',
      'lint-rules': 'require-concurrent-index-creation=notice\nrenaming-column=off, ban-drop-table=error',
    })
    expect(severityOf(lint, 'require-concurrent-index-creation')).toBe('notice')
    expect(severityOf(lint, 'renaming-column')).toBe('off')
    expect(severityOf(lint, 'ban-drop-table')).toBe('error')
    expect(severityOf(lint, 'renaming-table')).toBe('error')
    expect(severityOf(read({ lint: 'off' }).lint, 'renaming-table')).toBe('off')
  })

  it('lint-allow: revision, rule and reason', () => {
    const { lint } = read({ 'lint-allow': 'a1b2 renaming-column: the app reads a view\n# a comment' })
    expect(lint.allow.get('a1b2')?.get('renaming-column')).toBe('the app reads a view')
  })

  it.each([
    [{ lint: 'strict' }, 'lint', 'lint: unknown value "strict"'],
    [{ 'lint-rules': 'renaming-colum=off' }, 'lint-rules', '"renaming-colum=off" names no rule'],
    [{ 'lint-rules': 'renaming-column=fatal' }, 'lint-rules', 'needs RULE=SEVERITY'],
    [{ 'lint-allow': 'a1 renaming-column' }, 'lint-allow', 'needs a revision, a rule and a reason'],
    [{ 'lint-allow': 'a1 renaming-column:   ' }, 'lint-allow', 'needs a revision, a rule and a reason'],
    [{ 'lint-allow': 'a1 no-such-rule: why' }, 'lint-allow', 'no-such-rule is not a lint rule id'],
  ])('%o is an error naming %s', (inputs, input, text) => {
    const e = errorOf(inputs)
    expect(e.input).toBe(input)
    expect(e.message).toContain(text)
    expect(e.message).not.toContain('\n')
  })
})
