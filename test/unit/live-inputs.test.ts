// The live inputs (mode live, live-database-url, live-database-url-env, live-expect): each bad
// combination is one GateError naming the input, and never repeats the URL (it carries a password).
import { describe, expect, it } from 'vitest'
import { GateError } from '../../src/errors.js'
import { readConfig } from '../../src/inputs.js'
import { describeLive, resolveLiveTarget, splitLiveUrl } from '../../src/live/url.js'

const SECRET = 'pr0d-s3cret'
const URL_ = `postgresql://app:${SECRET}@db.internal:5433/shop`

function configError(inputs: Record<string, string>): GateError {
  try {
    readConfig((name) => inputs[name])
  } catch (error) {
    if (error instanceof GateError) return error
    throw error
  }
  throw new Error('no error')
}

describe('live inputs', () => {
  it('mode live with a URL gives a config', () => {
    const config = readConfig((name) => ({ mode: 'live', 'live-database-url': URL_, 'live-expect': 'head' })[name])
    expect(config).toMatchObject({ mode: 'live', liveDatabaseUrl: URL_, liveExpect: 'head' })
    expect(readConfig((name) => ({ mode: 'live', 'live-database-url-env': 'PROD_URL' })[name])).toMatchObject({
      liveDatabaseUrlEnv: 'PROD_URL',
      liveExpect: 'any',
    })
  })

  it.each([
    [{ mode: 'live' }, 'live-database-url', /^live-database-url: required when mode is live/],
    [{ mode: 'live', 'live-database-url': URL_, 'live-database-url-env': 'X' }, 'live-database-url', /not both/],
    [
      { 'live-database-url': URL_ },
      'live-database-url',
      /^live-database-url: only used with mode live \(mode is stairway\)$/,
    ],
    [{ mode: 'static', 'live-database-url-env': 'X' }, 'live-database-url-env', /only used with mode live/],
    [{ 'live-expect': 'head' }, 'live-expect', /^live-expect: only used with mode live/],
    [{ 'live-predict': 'false' }, 'live-predict', /^live-predict: only used with mode live/],
    [
      { mode: 'live', 'live-expect': 'tail', 'live-database-url': URL_ },
      'live-expect',
      /unknown value "tail" \(allowed: any, head\)/,
    ],
    [
      { mode: 'live', 'live-database-url': `mysql://app:${SECRET}@h/db` },
      'live-database-url',
      /a mysql:\/\/ URL; the live database must be given as postgres:\/\/ or postgresql:\/\//,
    ],
    [{ mode: 'live', 'live-database-url': `${SECRET} at h/db` }, 'live-database-url', /not a URL/],
    [
      { mode: 'live', 'live-database-url-env': 'not a name' },
      'live-database-url-env',
      /is not an environment variable name/,
    ],
  ])('%j: one line naming %s', (inputs, input, pattern) => {
    const error = configError(inputs)
    expect(error.input).toBe(input)
    expect(error.message).toMatch(pattern)
    expect(error.message).not.toContain(SECRET)
    expect(error.message).not.toContain('\n')
  })

  it('live-database-url-env is read when the run starts; unset or empty is one line naming the variable', () => {
    const config = { mode: 'live', liveDatabaseUrlEnv: 'PROD_URL' }
    expect(resolveLiveTarget(config, { PROD_URL: URL_ })).toEqual({ url: URL_, input: 'live-database-url-env' })
    expect(() => resolveLiveTarget(config, {})).toThrow(
      /^live-database-url-env: the environment variable PROD_URL is not set or empty$/,
    )
    expect(() => resolveLiveTarget(config, { PROD_URL: `http://x:${SECRET}@h/db` })).toThrow(
      /^live-database-url-env \(PROD_URL\): a http:\/\/ URL/,
    )
    expect(resolveLiveTarget({ mode: 'stairway' }, { PROD_URL: URL_ })).toBeUndefined()
  })

  it('the live database is named without its credentials; x- parameters go to the tool, not to pg', () => {
    expect(describeLive(URL_)).toBe('db.internal:5433/shop')
    const split = splitLiveUrl(
      `${URL_}?sslmode=disable&x-migrations-table=%22ops%22.%22versions%22&x-multi-statement=true`,
    )
    expect(split.connect).toBe(`${URL_}?sslmode=disable`)
    expect([...split.toolParams]).toEqual([
      ['x-migrations-table', '"ops"."versions"'],
      ['x-multi-statement', 'true'],
    ])
  })
})
