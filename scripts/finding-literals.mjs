// Finds Finding objects assembled outside src/findings/: the catalogue is the one place a finding's
// id, severity and wording are put together (checks call its constructors with facts), so a finding
// built by hand elsewhere is a second copy of its wording, the kind that drifted apart before.
// An object literal counts when its type is a Finding (the type checker decides: a literal typed by
// its context, `as const`, a spread of a finding with a field changed), or when it sets `severity`
// to a severity. Exit 1 with each place printed, 0 with one summary line. Part of `npm run lint`.
import { readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import ts from 'typescript'

// The source tree to check: src/ by default, another one for the script's own test. Its report.ts
// declares Finding; its findings/ directory may build them.
const root = path.resolve(process.argv[2] ?? path.join(import.meta.dirname, '..', 'src'))
const allowed = path.join(root, 'findings') + path.sep

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name)
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : []
  })
}

const program = ts.createProgram(files(root), {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  skipLibCheck: true,
  types: [],
})
const checker = program.getTypeChecker()
const reportFile = program.getSourceFile(path.join(root, 'report.ts'))
const findingSymbol = reportFile && checker.getSymbolAtLocation(reportFile)?.exports?.get('Finding')
if (!findingSymbol) {
  console.error(`finding-literals: ${path.join(root, 'report.ts')} declares no Finding`)
  process.exit(2)
}
const finding = checker.getDeclaredTypeOfSymbol(findingSymbol)
const SEVERITIES = new Set(['error', 'warning', 'notice'])

const found = []
for (const source of program.getSourceFiles()) {
  const file = source.fileName
  if (!file.startsWith(root + path.sep) || file.startsWith(allowed)) continue
  const visit = (node) => {
    if (ts.isObjectLiteralExpression(node) && isFinding(node)) {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart(source))
      found.push(`${path.relative(process.cwd(), file)}:${line + 1}`)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
}

function isFinding(node) {
  const setsSeverity = node.properties.some(
    (p) =>
      ts.isPropertyAssignment(p) &&
      p.name.getText() === 'severity' &&
      (ts.isStringLiteral(inner(p.initializer)) ? SEVERITIES.has(inner(p.initializer).text) : false),
  )
  if (setsSeverity) return true
  // An empty literal or one without a finding's fields is some other object that happens to fit.
  const names = new Set(node.properties.map((p) => p.name?.getText()).filter(Boolean))
  const spreads = node.properties.some((p) => ts.isSpreadAssignment(p))
  if (!spreads && !names.has('id') && !names.has('message')) return false
  return checker.isTypeAssignableTo(checker.getTypeAtLocation(node), finding)
}

/** The expression under `as const`, parentheses and `satisfies`. */
function inner(e) {
  while (ts.isAsExpression(e) || ts.isParenthesizedExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression
  return e
}

if (found.length > 0) {
  for (const at of found) console.error(`finding built outside src/findings/: ${at} (call the catalogue's constructor)`)
  process.exit(1)
}
console.log(
  `finding-literals: ${program.getSourceFiles().filter((s) => s.fileName.startsWith(root + path.sep)).length} modules, every finding built in findings/`,
)
