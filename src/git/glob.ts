// Path globs for model-paths and migration-paths, matched against repository-relative POSIX paths.
// A few lines instead of a dependency: `**` (any depth), `*` and `?` (within one path segment) and
// `{a,b}` are all the inputs need. A pattern also matches everything below it, so a directory
// ("db/migrations") works as a pattern.

/** The regular expression of one glob. */
export function globToRegExp(glob: string): RegExp {
  const g = glob.trim().replace(/^\.\//, '').replace(/\/+$/, '')
  let re = ''
  let braces = 0
  for (let i = 0; i < g.length; i++) {
    const c = g[i] as string
    if (c === '*') {
      if (g[i + 1] === '*') {
        // `**/` is zero or more whole directories; a bare `**` anything at all.
        if (g[i + 2] === '/') {
          re += '(?:[^/]*/)*'
          i += 2
        } else {
          re += '.*'
          i += 1
        }
      } else {
        re += '[^/]*'
      }
    } else if (c === '?') re += '[^/]'
    else if (c === '{') {
      braces++
      re += '(?:'
    } else if (c === '}' && braces > 0) {
      braces--
      re += ')'
    } else if (c === ',' && braces > 0) re += '|'
    else re += c.replace(/[.+^$()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${re}(?:/.*)?$`)
}

/** A matcher for a list of globs: true when any of them matches. */
export function globMatcher(globs: readonly string[]): (file: string) => boolean {
  const res = globs.filter((g) => g.trim() !== '').map(globToRegExp)
  return (file) => res.some((re) => re.test(file))
}
