#!/usr/bin/env node
import { createRequire as __mgCreateRequire } from 'node:module';import { fileURLToPath as __mgFileURLToPath } from 'node:url';import { dirname as __mgDirname } from 'node:path';const require = __mgCreateRequire(import.meta.url);const __filename = __mgFileURLToPath(import.meta.url);const __dirname = __mgDirname(__filename);
import {
  writeOutputFile
} from "./chunks/chunk-YSY26GS7.js";
import {
  EXIT_CODES,
  INPUTS,
  VERSION,
  describeFailure,
  inertLog,
  interruptedBy,
  registerSecrets,
  scrub
} from "./chunks/chunk-N2F45PA3.js";
import {
  GateError
} from "./chunks/chunk-LT4XZVPY.js";
import "./chunks/chunk-NNRNKADP.js";

// src/cli-args.ts
var FLAGS = new Set(INPUTS.filter((i) => !i.actionOnly).map((i) => i.name));
function parseArgs(argv) {
  const inputs = /* @__PURE__ */ new Map();
  let verbose2 = false;
  const [first, ...rest] = argv;
  if (first === void 0 || first === "--help" || first === "-h" || first === "help")
    return { command: "help", inputs, verbose: verbose2 };
  if (first === "--version" || first === "-V") return { command: "version", inputs, verbose: verbose2 };
  if (first === "init") return parseInitArgs(rest);
  if (first !== "check")
    throw new GateError(
      `unknown command "${first}" (usage: migration-gate check|init [PROJECT_DIR...] [options]; see --help)`
    );
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === "--help" || arg === "-h") return { command: "help", inputs, verbose: verbose2 };
    if (arg === "--verbose" || arg === "-v") {
      verbose2 = true;
      continue;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = arg.slice(2, eq === -1 ? void 0 : eq);
      if (!FLAGS.has(name) || name === "working-directory") throw new GateError(`unknown option --${name} (see --help)`);
      let v;
      if (eq !== -1) v = arg.slice(eq + 1);
      else {
        v = rest[i + 1];
        i++;
      }
      if (v === void 0) throw new GateError(`--${name} needs a value`, name);
      if (eq === -1 && v.startsWith("--")) {
        throw new GateError(`--${name} needs a value, but is followed by the option ${v}`, name);
      }
      inputs.set(name, v);
      continue;
    }
    const before = inputs.get("working-directory");
    inputs.set("working-directory", before === void 0 ? arg : `${before}
${arg}`);
  }
  return { command: "check", inputs, verbose: verbose2 };
}
function parseInitArgs(rest) {
  const init = { dir: ".", force: false, stdout: false };
  let dir;
  for (const arg of rest) {
    if (arg === "--help" || arg === "-h") return { command: "help", topic: "init", inputs: /* @__PURE__ */ new Map(), verbose: false };
    if (arg === "--force" || arg === "-f") init.force = true;
    else if (arg === "--stdout" || arg === "--dry-run") init.stdout = true;
    else if (arg === "--push") init.push = true;
    else if (arg.startsWith("--push=")) {
      const branch = arg.slice("--push=".length);
      if (!branch) throw new GateError("--push= needs a branch name (or --push alone for the default branch)");
      init.push = branch;
    } else if (arg.startsWith("-"))
      throw new GateError(`unknown option ${arg.split("=")[0]} for init (see init --help)`);
    else if (dir !== void 0) throw new GateError(`unexpected argument "${arg}": only one PROJECT_DIR`);
    else dir = arg;
  }
  return { command: "init", inputs: /* @__PURE__ */ new Map(), verbose: false, init: { ...init, dir: dir ?? "." } };
}
function initUsage() {
  return [
    "usage: migration-gate init [PROJECT_DIR] [--force] [--stdout] [--push[=BRANCH]]",
    "",
    "Writes .github/workflows/migration-gate.yml for the migration project in PROJECT_DIR (default: .),",
    "at the root of its git repository, and prints what it assumed: the tool, the working-directory, the",
    "Python version and how the dependencies install, the PostgreSQL major of a compose file.",
    "exit codes: 0 written, 2 no project found, the file already exists, or a bad option",
    "",
    "options:",
    "  --force",
    "      Overwrite an existing workflow file.",
    "  --stdout, --dry-run",
    "      Print the workflow instead of writing it (what it assumed goes to stderr).",
    "  --push[=BRANCH]",
    "      Also run on pushes to BRANCH (default: the repository's default branch)."
  ].join("\n");
}
function usage() {
  const lines = [
    "usage: migration-gate check [PROJECT_DIR...] [options]",
    "       migration-gate init [PROJECT_DIR] [--force] [--stdout]   (a workflow for the project; init --help)",
    "",
    "Replays every migration up, down and up again on an ephemeral PostgreSQL and checks the chain.",
    "exit codes: 0 pass, 1 findings of severity error, 2 usage or infrastructure error, 3 a bug in migration-gate",
    "",
    "options:"
  ];
  for (const i of INPUTS) {
    if (i.actionOnly || i.name === "working-directory") continue;
    const allowed = i.allowed ? ` (${i.allowed.join("|")})` : "";
    const def = i.default ? ` [default: ${i.default}]` : "";
    lines.push(`  --${i.name}${allowed}${def}`, `      ${i.description}`);
  }
  lines.push("  --verbose", "      Log each step.");
  return lines.join("\n");
}

// src/cli.ts
var verbose = false;
async function main(argv) {
  const args = parseArgs(argv);
  verbose = args.verbose;
  registerSecrets(args.inputs.get("database-url"));
  registerSecrets(args.inputs.get("live-database-url"));
  if (args.command === "help") {
    process.stdout.write(`${args.topic === "init" ? initUsage() : usage()}
`);
    return 0;
  }
  if (args.command === "version") {
    process.stdout.write(`${VERSION}
`);
    return 0;
  }
  if (args.command === "init" && args.init) {
    const { runInit } = await import("./chunks/cli-init-WSPEVQK3.js");
    return runInit(args.init);
  }
  const gate = await import("./chunks/cli-check-5SI5LIIM.js");
  const { readConfig, runGate, stderrLogger, renderJson, renderSarifJson, renderTerminal } = gate;
  const config = readConfig((name) => args.inputs.get(name));
  const colour = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  if (config.projectDirs) {
    const projects = { ...config, projectDirs: config.projectDirs };
    const run = await gate.runProjects(projects, { logger: stderrLogger(args.verbose) });
    if (config.reportJson) writeOutputFile("report-json", config.reportJson, renderJson(run.report));
    if (config.sarif) writeOutputFile("sarif", config.sarif, gate.renderProjectsSarifJson(run.report, process.cwd()));
    process.stdout.write(gate.renderProjectsTerminal(run.report, { colour, rootDir: process.cwd() }));
    return run.exitCode;
  }
  const report = await runGate(config, { logger: stderrLogger(args.verbose) });
  if (config.reportJson) writeOutputFile("report-json", config.reportJson, renderJson(report));
  if (config.sarif) writeOutputFile("sarif", config.sarif, renderSarifJson(report));
  process.stdout.write(renderTerminal(report, { colour }));
  return report.result === "fail" ? EXIT_CODES.findings : EXIT_CODES.pass;
}
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    if (interruptedBy()) return;
    const failure = describeFailure(error);
    if (failure.bug && verbose || process.env.MIGRATION_GATE_DEBUG) {
      if (error instanceof Error) process.stderr.write(inertLog(`${scrub(String(error.stack))}
`));
    }
    process.stderr.write(inertLog(`migration-gate: ${scrub(failure.line)}
`));
    process.exitCode = failure.exitCode;
  }
);
