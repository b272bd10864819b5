#!/usr/bin/env node
// The release workflow's gate before anything is published: the pushed tag must be package.json's
// version, and CHANGELOG.md must have an entry for it, whose text becomes the GitHub release's body.
// usage: node scripts/release-notes.mjs vX.Y.Z   (or X.Y.Z)
// Reads CHANGELOG.md and package.json in the current directory, prints the entry's text (without its
// heading) and exits 0; otherwise prints one line naming the version and exits 1.
import { readFileSync } from 'node:fs'

function fail(message) {
  process.stderr.write(`release-notes: ${message}\n`)
  process.exit(1)
}

function read(file) {
  try {
    return readFileSync(file, 'utf8')
  } catch (error) {
    return fail(`cannot read ${file}: ${error.code ?? error.message}`)
  }
}

/** The text under `## [version]` up to the next `## ` heading, without the link definitions at the file's end. */
function changelogEntry(changelog, version) {
  const lines = changelog.split(/\r?\n/)
  const heading = `## [${version}]`
  // `## [0.1.0]` or `## [0.1.0] - 2026-01-31`, never `## [0.1.0-rc.1]`: the bracket closes the version.
  const start = lines.findIndex((line) => line === heading || line.startsWith(`${heading} `))
  if (start === -1) return undefined
  const rest = lines.slice(start + 1)
  const end = rest.findIndex((line) => line.startsWith('## '))
  const body = (end === -1 ? rest : rest.slice(0, end)).filter((line) => !/^\[[^\]]+\]:\s/.test(line))
  const text = body.join('\n').trim()
  return text === '' ? undefined : text
}

const [tag, ...extra] = process.argv.slice(2)
if (tag === undefined || extra.length > 0) fail('usage: node scripts/release-notes.mjs vX.Y.Z')
const version = tag.replace(/^v/, '')
// The workflow publishes releases only: a pre-release tag (v1.0.0-rc.1) would also move the major tag.
if (!/^\d+\.\d+\.\d+$/.test(version)) fail(`"${tag}" is not a release tag of the form vX.Y.Z`)

let pkg
try {
  pkg = JSON.parse(read('package.json'))
} catch (error) {
  fail(`package.json is not valid JSON: ${error.message}`)
}
if (pkg.version !== version) fail(`tag ${tag} does not match package.json version ${pkg.version}`)

const entry = changelogEntry(read('CHANGELOG.md'), version)
if (entry === undefined)
  fail(`CHANGELOG.md has no entry for ${version} (a "## [${version}]" heading with text under it)`)
process.stdout.write(`${entry}\n`)
