#!/usr/bin/env node
// Fails on test code that cannot fail, so the summary line ("N passed, N skipped") means what it says:
//   early-return   a bare `return` under an `if` in a test body: where the condition holds (a missing
//                  tool, an unset variable) the test counts as passed without checking anything. A
//                  test that cannot check here must skip through its context (ctx.skip(reason)).
//   self-compare   expect(x).toEqual(x) (also toStrictEqual, toBe) with textually identical sides.
// usage: node scripts/lint-tests.mjs [file or directory ...]   (default: test/)
// Prints file:line:column: rule: message for each finding and exits 1 when there is one.
// TypeScript's parser (a devDependency already) reads the files: syntax only, no type checking.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import ts from 'typescript'

/** Modifiers between `it`/`test` and the call that takes the body: it.only(...), it.each(rows)(...), ... */
const TEST_MODIFIERS = new Set([
  'only',
  'skip',
  'todo',
  'fails',
  'concurrent',
  'sequential',
  'each',
  'for',
  'skipIf',
  'runIf',
])
const SAME_VALUE_MATCHERS = new Set(['toEqual', 'toStrictEqual', 'toBe'])

/** True when `callee` names a test: it, test, or either with modifiers (it.each(rows), it.skipIf(c), it.concurrent.only). */
function isTestCallee(callee) {
  let node = callee
  for (;;) {
    if (ts.isIdentifier(node)) return node.text === 'it' || node.text === 'test'
    if (ts.isPropertyAccessExpression(node) && TEST_MODIFIERS.has(node.name.text)) node = node.expression
    else if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) node = node.expression
    else return false
  }
}

const isFunction = (node) =>
  ts.isArrowFunction(node) ||
  ts.isFunctionExpression(node) ||
  ts.isFunctionDeclaration(node) ||
  ts.isMethodDeclaration(node) ||
  ts.isGetAccessor(node) ||
  ts.isSetAccessor(node) ||
  ts.isConstructorDeclaration(node)

/** Bare `return`s under an `if` in `body`, not counting nested functions (their returns do not end the test). */
function guardedReturns(body) {
  const found = []
  const visit = (node, guarded) => {
    if (isFunction(node)) return
    if (ts.isReturnStatement(node) && !node.expression && guarded) found.push(node)
    const nowGuarded = guarded || ts.isIfStatement(node)
    ts.forEachChild(node, (child) => visit(child, nowGuarded))
  }
  ts.forEachChild(body, (child) => visit(child, false))
  return found
}

const printer = ts.createPrinter({ removeComments: true })
/** The expression as the printer writes it: layout, comments and trailing commas do not count. */
const canonical = (node, sourceFile) => printer.printNode(ts.EmitHint.Expression, node, sourceFile)

/** `expect(A)` or `expect.soft(A)` directly before the matcher (no .not, .resolves, .rejects): A, else null. */
function expectedValue(node) {
  if (!ts.isCallExpression(node) || node.arguments.length !== 1) return null
  const callee = node.expression
  const isExpect =
    (ts.isIdentifier(callee) && callee.text === 'expect') ||
    (ts.isPropertyAccessExpression(callee) &&
      ts.isIdentifier(callee.expression) &&
      callee.expression.text === 'expect' &&
      callee.name.text === 'soft')
  return isExpect ? node.arguments[0] : null
}

/** The findings in one file's text: { line, column, rule, message }, lines and columns from 1. */
export function lintSource(text, fileName = 'test.ts') {
  const sourceFile = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
  const findings = []
  const report = (node, rule, message) => {
    const { line, character } = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile))
    findings.push({ line: line + 1, column: character + 1, rule, message })
  }
  const visit = (node) => {
    if (ts.isCallExpression(node)) {
      if (isTestCallee(node.expression)) {
        const body = [...node.arguments].reverse().find((a) => ts.isArrowFunction(a) || ts.isFunctionExpression(a))
        if (body && ts.isBlock(body.body)) {
          for (const r of guardedReturns(body.body))
            report(
              r,
              'early-return',
              'a bare return under an if in a test body counts the test as passed without checking; skip through the test context (ctx.skip(reason)) with the reason printed',
            )
        }
      }
      const callee = node.expression
      if (
        ts.isPropertyAccessExpression(callee) &&
        SAME_VALUE_MATCHERS.has(callee.name.text) &&
        node.arguments.length === 1
      ) {
        const actual = expectedValue(callee.expression)
        const expected = node.arguments[0]
        if (actual && canonical(actual, sourceFile) === canonical(expected, sourceFile))
          report(
            node,
            'self-compare',
            `expect(${actual.getText(sourceFile)}).${callee.name.text}(...) compares an expression with itself and cannot fail; compare with an independent expectation`,
          )
      }
    }
    ts.forEachChild(node, visit)
  }
  visit(sourceFile)
  return findings
}

function filesUnder(path) {
  if (!statSync(path).isDirectory()) return [path]
  return readdirSync(path, { withFileTypes: true })
    .filter((e) => e.name !== 'node_modules' && !e.name.startsWith('.'))
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) =>
      e.isDirectory() ? filesUnder(join(path, e.name)) : /\.[cm]?[jt]s$/.test(e.name) ? [join(path, e.name)] : [],
    )
}

function main(args) {
  const files = (args.length ? args : ['test']).flatMap(filesUnder)
  let count = 0
  for (const file of files) {
    for (const f of lintSource(readFileSync(file, 'utf8'), file)) {
      console.log(`${relative(process.cwd(), file) || file}:${f.line}:${f.column}: ${f.rule}: ${f.message}`)
      count++
    }
  }
  if (count) {
    console.log(`lint-tests: ${count} finding${count === 1 ? '' : 's'} in ${files.length} files`)
    process.exit(1)
  }
  console.log(`lint-tests: ${files.length} files, no early return in a test body, no self-comparison`)
}

if (import.meta.url === `file://${process.argv[1]}`) main(process.argv.slice(2))
