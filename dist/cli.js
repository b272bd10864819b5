#!/usr/bin/env node
import { createRequire as __mgCreateRequire } from 'node:module';import { fileURLToPath as __mgFileURLToPath } from 'node:url';import { dirname as __mgDirname } from 'node:path';const require = __mgCreateRequire(import.meta.url);const __filename = __mgFileURLToPath(import.meta.url);const __dirname = __mgDirname(__filename);
import {
  EXIT_CODES,
  describeFailure,
  writeOutputFile
} from "./chunks/chunk-ZGPDW5V6.js";
import {
  GateError,
  INPUTS,
  VERSION,
  inertLog,
  interruptedBy,
  registerSecrets,
  scrub
} from "./chunks/chunk-KGVRODM3.js";
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
  if (first !== "check")
    throw new GateError(`unknown command "${first}" (usage: migration-gate check [PROJECT_DIR] [options]; see --help)`);
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
    if (inputs.has("working-directory")) throw new GateError(`unexpected argument "${arg}": only one PROJECT_DIR`);
    inputs.set("working-directory", arg);
  }
  return { command: "check", inputs, verbose: verbose2 };
}
function usage() {
  const lines = [
    "usage: migration-gate check [PROJECT_DIR] [options]",
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
    process.stdout.write(`${usage()}
`);
    return 0;
  }
  if (args.command === "version") {
    process.stdout.write(`${VERSION}
`);
    return 0;
  }
  const { readConfig, runGate, stderrLogger, renderJson, renderSarifJson, renderTerminal } = await import("./chunks/cli-check-WJSXEYY7.js");
  const config = readConfig((name) => args.inputs.get(name));
  const report = await runGate(config, { logger: stderrLogger(args.verbose) });
  if (config.reportJson) writeOutputFile("report-json", config.reportJson, renderJson(report));
  if (config.sarif) writeOutputFile("sarif", config.sarif, renderSarifJson(report));
  process.stdout.write(renderTerminal(report, { colour: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR }));
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
