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

// src/postgres/postgres-version.ts
var SUPPORTED_MAJORS = [13, 14, 15, 16, 17, 18];
var DEFAULT_MAJOR = 18;
var VERSION_VALUES = [...SUPPORTED_MAJORS.map(String), "any"];
function parsePostgresVersion(raw) {
  const v = raw.trim();
  if (v === "any") return "any";
  if (!/^\d+$/.test(v) || !SUPPORTED_MAJORS.includes(Number(v))) {
    throw new GateError(
      `postgres-version: unknown value "${v}" (allowed: ${VERSION_VALUES.join(", ")})`,
      "postgres-version"
    );
  }
  return Number(v);
}
function majorOfVersion(serverVersion) {
  return Number.parseInt(serverVersion, 10);
}
function checkServerMajor(choice, provider, serverVersion, namedByUser = provider === "url") {
  if (choice.version === "any") return;
  if (namedByUser && !choice.explicit) return;
  const major = majorOfVersion(serverVersion);
  if (major === choice.version) return;
  const input = provider === "url" ? "database-url" : provider === "docker" ? "postgres-image" : "postgres";
  throw new GateError(
    `postgres-version: ${choice.version} asked for, but the ${provider} server is PostgreSQL ${serverVersion} (${input} gave it); use a PostgreSQL ${choice.version} server, or set postgres-version to ${major} or any`,
    "postgres-version"
  );
}

export {
  GateError,
  requireDirectory,
  oneLine,
  isKnownSystemError,
  errorLine,
  SUPPORTED_MAJORS,
  DEFAULT_MAJOR,
  VERSION_VALUES,
  parsePostgresVersion,
  checkServerMajor
};
