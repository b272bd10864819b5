// A tool's error quoted inside a finding's sentence: most end with their own full stop (Django's
// "... but app 'sponsor' isn't installed."), which the sentence must not double.
import { describe, expect, it } from 'vitest'
import { downgradeFailed } from '../../src/findings/downgrade-failed.js'
import { reupgradeFails } from '../../src/findings/reupgrade-mismatch.js'
import { upgradeFailed } from '../../src/findings/upgrade-failed.js'

const django =
  "ValueError: The field core.Page.sponsors was declared with a lazy reference to 'sponsor.sponsor', but app 'sponsor' isn't installed."

describe("a quoted error's own full stop", () => {
  it('is not doubled by the sentence around it', () => {
    const up = upgradeFailed({ what: 'core.0033_auto', error: django }, {})
    expect(up.message).toBe(
      `Upgrading to core.0033_auto fails: ${django} A deploy running this migration would stop here.`,
    )
    expect(downgradeFailed({ what: 'core.0033_auto', error: django }, {}).message).not.toContain('..')
    expect(reupgradeFails({ what: 'core.0033_auto', error: django }, {}).message).not.toContain('..')
  })

  it('an error without one gets the full stop', () => {
    expect(upgradeFailed({ what: 'a1', error: 'relation "x" already exists' }, {}).message).toBe(
      'Upgrading to a1 fails: relation "x" already exists. A deploy running this migration would stop here.',
    )
  })
})
