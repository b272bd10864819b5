import { createRequire as __mgCreateRequire } from 'node:module';import { fileURLToPath as __mgFileURLToPath } from 'node:url';import { dirname as __mgDirname } from 'node:path';const require = __mgCreateRequire(import.meta.url);const __filename = __mgFileURLToPath(import.meta.url);const __dirname = __mgDirname(__filename);

// src/errors.ts
import { existsSync, statSync } from "node:fs";
var GateError = class extends Error {
  /** The input (flag or action input) the error is about, when there is one. */
  input;
  constructor(message, input) {
    super(message);
    this.name = "GateError";
    this.input = input;
  }
};
function requireDirectory(dir, input) {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new GateError(`${input}: ${dir} is not a directory`, input);
}
function oneLine(error) {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n").map((s) => s.trim()).filter(Boolean).join(" ") || "unknown error";
}
function isKnownSystemError(error) {
  const e = error;
  return e?.code === "ENOENT" && e.syscall === "uv_cwd";
}
function errorLine(error) {
  if (isKnownSystemError(error)) {
    return "the current working directory no longer exists (removed while the gate ran?): run it from a directory that exists";
  }
  return oneLine(error);
}

// src/postgres/default-image.ts
var DEFAULT_POSTGRES_IMAGE = "postgres:18-alpine";

export {
  GateError,
  requireDirectory,
  oneLine,
  isKnownSystemError,
  errorLine,
  DEFAULT_POSTGRES_IMAGE
};
