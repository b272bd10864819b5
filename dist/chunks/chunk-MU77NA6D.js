import { createRequire as __mgCreateRequire } from 'node:module';import { fileURLToPath as __mgFileURLToPath } from 'node:url';import { dirname as __mgDirname } from 'node:path';const require = __mgCreateRequire(import.meta.url);const __filename = __mgFileURLToPath(import.meta.url);const __dirname = __mgDirname(__filename);
import {
  GateError,
  errorLine,
  isKnownSystemError,
  oneLine
} from "./chunk-4BMLAU3J.js";

// src/failure.ts
var EXIT_CODES = { pass: 0, findings: 1, usage: 2, bug: 3 };
var REPORT_TO = "report it to the maintainers";
function fromTheEnvironment(error) {
  const e = error;
  if (typeof e?.code !== "string") return false;
  if (/^E[A-Z0-9]+$/.test(e.code) && typeof e.syscall === "string") return true;
  return /^[0-9A-Z]{5}$/.test(e.code) && typeof e.severity === "string";
}
function describeFailure(error) {
  if (error instanceof GateError || isKnownSystemError(error) || fromTheEnvironment(error)) {
    return { bug: false, line: errorLine(error), exitCode: EXIT_CODES.usage };
  }
  const name = error instanceof Error && error.name && error.name !== "Error" ? `${error.name}: ` : "";
  return {
    bug: true,
    line: `internal error (a bug in migration-gate, not in your input): ${name}${oneLine(error)}; please ${REPORT_TO} with the output of --verbose`,
    exitCode: EXIT_CODES.bug
  };
}

// src/output-file.ts
import { writeFileSync } from "node:fs";
function writeOutputFile(input, path, text) {
  try {
    writeFileSync(path, text);
  } catch (error) {
    throw new GateError(`${input}: cannot write ${path}: ${oneLine(error)}`, input);
  }
}

export {
  EXIT_CODES,
  describeFailure,
  writeOutputFile
};
