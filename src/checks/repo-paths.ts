// Messages name files from the repository root, like the annotations and the links beside them: a
// project in a subfolder (working-directory: backend) has its findings' `file` relative to the
// project (the report contract), and its messages say `backend/db/migrations/001_init.sql`, the path a
// reader finds in the pull request's diff.
import type { RevisionGraph } from '../drivers/driver.js'
import { projectPathInRepository } from '../git/root.js'
import type { Finding } from '../report.js'
import { rewriteText } from '../findings/transform.js'
import { escapeRegExp } from '../regexp.js'

/**
 * Rewrites, in each finding's message and details, every occurrence of a known project-relative
 * path to `prefix/path`. Only whole paths are rewritten: preceded by the start, a space, a quote,
 * a backtick or a bracket, and followed by the same, a colon, a comma or a sentence's end.
 */
export function withRepositoryPaths(findings: Finding[], prefix: string, files: Iterable<string>): Finding[] {
  if (!prefix) return findings
  const known = [...new Set(files)].filter(Boolean).sort((a, b) => b.length - a.length)
  if (known.length === 0) return findings
  const pattern = new RegExp(
    `(^|[\\s\`'"(\\[])(${known.map(escapeRegExp).join('|')})(?=$|[\\s\`'")\\],:;]|\\.(?:\\s|$))`,
    'g',
  )
  const rewrite = (text: string) =>
    text.replace(pattern, (_, before: string, file: string) => `${before}${prefix}/${file}`)
  return findings.map((f) => rewriteText(f, rewrite))
}

/**
 * The project's path in its repository, and the findings with their files named from the repository
 * root, as annotations and links need them; the findings unchanged outside a repository.
 */
export function inRepository(
  projectDir: string,
  graph: RevisionGraph,
  findings: Finding[],
): { projectPath?: string; findings: Finding[] } {
  const projectPath = projectPathInRepository(projectDir)
  if (projectPath === undefined) return { findings }
  const files = [...graph.nodes.flatMap((n) => [n.file, n.downgradeFile ?? '']), ...findings.map((f) => f.file ?? '')]
  return { projectPath, findings: withRepositoryPaths(findings, projectPath, files) }
}
