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

// src/render/escape.ts
var MARKDOWN_SPECIAL = /[&<>"'`|*_~[\]!\\@#$]/g;
function md(text) {
  return text.replace(MARKDOWN_SPECIAL, (c) => `&#${c.charCodeAt(0)};`).replace(/\r\n?|\n/g, " ");
}
function preText(text) {
  return text.replace(/\r\n?/g, "\n").replace(MARKDOWN_SPECIAL, (c) => `&#${c.charCodeAt(0)};`);
}
function code(text) {
  return `<code>${md(text)}</code>`;
}
function clip(text, max) {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}\u2026`;
}
function mermaidText(text) {
  let out = "";
  for (const ch of text.replace(/\s+/g, " ")) {
    out += /^[A-Za-z0-9 _.,:/-]$/.test(ch) ? ch : `#${ch.codePointAt(0)};`;
  }
  return out;
}
function urlPath(path) {
  return path.split("/").map(encodeURIComponent).join("/");
}
function inertLog(text) {
  return inertCommandText(text.replace(/^([ \t]*):(?=:)/gm, "$1:\u200B"));
}
function inertCommandText(text) {
  return text.replace(/##\[/g, "##\u200B[");
}

// src/postgres/credentials.ts
var REDACTED = "***";
var SECRET_KEYS = /* @__PURE__ */ new Set(["password", "passfile", "sslpassword"]);
var USERINFO = /([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*):([^\s/]*)@/gi;
var QUERY_PARAM = /([?&])([^=&#\s]+)=([^&#\s]*)/g;
var KEY_VALUE = /(?<![\w?&%])(\w*password|passfile)([ \t]*=[ \t]*)('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|\S+)/gi;
function decoded(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
var isSecretKey = (rawKey) => SECRET_KEYS.has(decoded(rawKey).toLowerCase());
function redactCredentials(text) {
  return text.replace(USERINFO, (_all, head, password) => `${head}:${password ? REDACTED : ""}@`).replace(
    QUERY_PARAM,
    (all, sep, key, value2) => isSecretKey(key) && value2 && !value2.startsWith(REDACTED) ? `${sep}${key}=${REDACTED}` : all
  ).replace(
    KEY_VALUE,
    (all, key, eq, value2) => value2.startsWith(REDACTED) ? all : `${key}${eq}${REDACTED}`
  );
}
function secretsIn(connection) {
  const found = /* @__PURE__ */ new Set();
  for (const m of connection.matchAll(USERINFO)) if (m[2]) found.add(decoded(m[2]));
  for (const m of connection.matchAll(QUERY_PARAM)) {
    if (!isSecretKey(m[2]) || !m[3]) continue;
    found.add(decoded(m[3]));
    found.add(decoded(m[3].replace(/\+/g, " ")));
  }
  for (const m of connection.matchAll(KEY_VALUE)) {
    const value2 = m[3];
    const quoted = /^(['"]).*\1$/s.test(value2);
    found.add(quoted ? value2.slice(1, -1).replace(/\\(.)/gs, "$1") : value2);
  }
  found.delete("");
  return [...found];
}
function publicPartsOf(connection) {
  const parts = [];
  try {
    const u = new URL(connection);
    parts.push(decoded(u.username), decoded(u.hostname), decoded(u.pathname.replace(/^\//, "")));
  } catch {
    for (const m of connection.matchAll(/(?<![\w?&%])(?:user|host|dbname)[ \t]*=[ \t]*('(?:[^'\\]|\\.)*'|\S+)/g)) {
      parts.push(m[1].replace(/^'(.*)'$/s, "$1").replace(/\\(.)/gs, "$1"));
    }
  }
  return parts.filter(Boolean);
}
function withoutCredentials(url) {
  try {
    const u = new URL(url);
    u.password = "";
    const kept = u.search.slice(1).split("&").filter((p) => p && !isSecretKey(p.split("=")[0]));
    u.search = kept.length ? `?${kept.join("&")}` : "";
    return u.toString();
  } catch {
    return redactCredentials(url);
  }
}
function withCredentialsFrom(recorded, input) {
  if (!input) return recorded;
  try {
    const r = new URL(recorded);
    const d = new URL(input);
    const sameServer = r.hostname === d.hostname && (r.port || "5432") === (d.port || "5432") && r.username === d.username;
    if (!sameServer) return recorded;
    r.password = d.password;
    const secrets = d.search.slice(1).split("&").filter((p) => p && isSecretKey(p.split("=")[0]));
    const kept = r.search.slice(1).split("&").filter(Boolean);
    const all = [...kept, ...secrets];
    r.search = all.length ? `?${all.join("&")}` : "";
    return r.toString();
  } catch {
    return recorded;
  }
}

// src/regexp.ts
function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// src/scrub.ts
var MIN_SECRET_LENGTH = 4;
var patterns = /* @__PURE__ */ new Map();
var ordered = [];
function registerSecrets(connection) {
  if (!connection) return [];
  const named = new Set(publicPartsOf(connection));
  const secrets = secretsIn(connection).filter((s) => s.length >= MIN_SECRET_LENGTH && !named.has(s));
  for (const secret of secrets) if (!patterns.has(secret)) patterns.set(secret, anyEncoding(secret));
  ordered = [...patterns].sort(([a], [b]) => b.length - a.length).map(([, pattern]) => pattern);
  return secrets;
}
function anyEncoding(secret) {
  let source = "";
  for (const ch of secret) {
    const hex = [...new TextEncoder().encode(ch)].map((b) => `%${b.toString(16).padStart(2, "0")}`).join("");
    const forms = /* @__PURE__ */ new Set([escapeRegExp(ch), hex.toUpperCase(), hex.toLowerCase()]);
    if (!/[A-Za-z0-9]/.test(ch)) forms.add(`\\\\${escapeRegExp(ch)}`);
    if (ch === " ") forms.add("\\+");
    source += `(?:${[...forms].join("|")})`;
  }
  return new RegExp(source, "g");
}
function scrub(text) {
  let out = text;
  for (const pattern of ordered) out = out.replace(pattern, REDACTED);
  return redactCredentials(out);
}
function scrubDeep(value2) {
  if (typeof value2 === "string") return scrub(value2);
  if (Array.isArray(value2)) return value2.map((v) => scrubDeep(v));
  if (value2 && typeof value2 === "object" && [Object.prototype, null].includes(Object.getPrototypeOf(value2))) {
    return Object.fromEntries(Object.entries(value2).map(([k, v]) => [k, scrubDeep(v)]));
  }
  return value2;
}
function scrubbedLogger(logger) {
  return {
    info: (m) => logger.info(scrub(m)),
    warn: (m) => logger.warn(scrub(m)),
    debug: (m) => logger.debug(scrub(m))
  };
}
function scrubError(error) {
  if (error instanceof Error) {
    error.message = scrub(error.message);
    if (error.stack) error.stack = scrub(error.stack);
  }
  return error;
}

// src/inputs.ts
import { accessSync, constants, statSync as statSync2 } from "node:fs";
import { dirname, resolve } from "node:path";

// src/live/url.ts
var SCHEMES = ["postgres:", "postgresql:"];
function checkLiveUrl(url, input) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    throw new GateError(`${input}: not a URL (expected postgresql://user:password@host:port/database)`, input);
  }
  if (!SCHEMES.includes(parsed.protocol)) {
    throw new GateError(
      `${input}: a ${parsed.protocol.replace(/:$/, "")}:// URL; the live database must be given as postgres:// or postgresql://`,
      input
    );
  }
  return parsed;
}
function resolveLiveTarget(config, env = process.env) {
  if (config.mode !== "live") return void 0;
  if (config.liveDatabaseUrl) return { url: config.liveDatabaseUrl, input: "live-database-url" };
  const name = config.liveDatabaseUrlEnv;
  if (!name) throw new GateError("live-database-url: required when mode is live", "live-database-url");
  const url = env[name]?.trim();
  if (!url) {
    throw new GateError(
      `live-database-url-env: the environment variable ${name} is not set or empty`,
      "live-database-url-env"
    );
  }
  checkLiveUrl(url, `live-database-url-env (${name})`);
  return { url, input: "live-database-url-env" };
}
function describeLive(url) {
  const u = new URL(url);
  const host = u.hostname || new URLSearchParams(u.search).get("host") || "localhost";
  return `${host}:${u.port || "5432"}/${decodeURIComponent(u.pathname.replace(/^\//, "")) || "(the user name)"}`;
}
function splitLiveUrl(url) {
  const u = new URL(url);
  const toolParams = /* @__PURE__ */ new Map();
  const kept = [];
  for (const pair of u.search.slice(1).split("&")) {
    if (!pair) continue;
    const [key = "", value2 = ""] = pair.split("=", 2);
    const name = decodeURIComponent(key);
    if (name.startsWith("x-")) toolParams.set(name, decodeURIComponent(value2.replace(/\+/g, " ")));
    else kept.push(pair);
  }
  u.search = kept.length ? `?${kept.join("&")}` : "";
  return { connect: u.toString(), toolParams };
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
function checkServerMajor(choice, provider, serverVersion) {
  if (choice.version === "any") return;
  if (provider === "url" && !choice.explicit) return;
  const major = majorOfVersion(serverVersion);
  if (major === choice.version) return;
  const input = provider === "url" ? "database-url" : provider === "docker" ? "postgres-image" : "postgres";
  throw new GateError(
    `postgres-version: ${choice.version} asked for, but the ${provider} server is PostgreSQL ${serverVersion} (${input} gave it); use a PostgreSQL ${choice.version} server, or set postgres-version to ${major} or any`,
    "postgres-version"
  );
}

// src/postgres/default-image.ts
function defaultPostgresImage(version) {
  return `postgres:${version === "any" ? DEFAULT_MAJOR : version}-alpine`;
}
var DEFAULT_POSTGRES_IMAGE = defaultPostgresImage(DEFAULT_MAJOR);

// src/live/ignore.ts
var INPUT = "live-ignore";
function parseLiveIgnore(text) {
  const rules = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const m = /^([^:\s]+)\s*:\s*(.+)$/.exec(line);
    if (!m?.[1] || !m[2]) {
      throw new GateError(`${INPUT}: "${line}" needs a reason ("SCHEMA.OBJECT: why it is left out")`, INPUT);
    }
    const pattern = m[1];
    if (!pattern.includes(".") || pattern.startsWith(".") || pattern.endsWith(".")) {
      throw new GateError(
        `${INPUT}: "${pattern}" is not SCHEMA.OBJECT (write public.${pattern.replace(/^\.+|\.+$/g, "") || "name"}, or *.name for any schema)`,
        INPUT
      );
    }
    const re = patternToRegExp(pattern);
    rules.push({ pattern, reason: m[2].trim(), matches: (name) => re.test(name) });
  }
  return rules;
}
function patternToRegExp(pattern) {
  let re = "";
  for (const c of pattern) {
    if (c === "*") re += "[^.]*";
    else if (c === "?") re += "[^.]";
    else re += c.replace(/[\\^$.|+()[\]{}]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}
function ruleFor(rules, names) {
  return rules.find((r) => names.some((n) => r.matches(n)));
}

// src/inputs.ts
var DEFAULT_PARTS_ENV = [
  "PGHOST",
  "PGPORT",
  "PGUSER",
  "PGPASSWORD",
  "PGDATABASE",
  "POSTGRES_HOST",
  "POSTGRES_SERVER",
  "POSTGRES_PORT",
  "POSTGRES_USER",
  "POSTGRES_PASSWORD",
  "POSTGRES_DB"
];
var URL_PARTS = ["host", "port", "user", "password", "database"];
var PART_BY_SUFFIX = [
  [/(HOST|SERVER|HOSTNAME)$/, "host"],
  [/PORT$/, "port"],
  [/(USER|USERNAME)$/, "user"],
  [/(PASSWORD|PASS)$/, "password"],
  [/(DB|DATABASE|NAME|DBNAME)$/, "database"]
];
function urlPartOf(name) {
  return PART_BY_SUFFIX.find(([re]) => re.test(name.toUpperCase()))?.[1];
}
function parsePartsEnv(text) {
  const items = list(text);
  if (items.length === 1 && items[0] === "none") return [];
  return items.map((item) => {
    const [name = "", given] = item.split("=", 2).map((x) => x.trim());
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new GateError(`database-parts-env: "${item}" is not an environment variable name`, "database-parts-env");
    }
    if (given !== void 0) {
      if (!URL_PARTS.includes(given)) {
        throw new GateError(
          `database-parts-env: "${item}" names an unknown part (allowed: ${URL_PARTS.join(", ")})`,
          "database-parts-env"
        );
      }
      return [name, given];
    }
    const part = urlPartOf(name);
    if (!part) {
      throw new GateError(
        `database-parts-env: cannot tell which part ${name} gets; write ${name}=host (or port, user, password, database)`,
        "database-parts-env"
      );
    }
    return [name, part];
  });
}
var INPUTS = [
  { name: "working-directory", description: "The project directory holding the migrations.", default: "." },
  {
    name: "tool",
    description: "The migration tool. auto: Alembic/Flask-Migrate where an alembic.ini is found, else plain SQL migrations (golang-migrate or dbmate files) in the project, its migrations/ or db/migrations/. sql: golang-migrate or dbmate files, run natively (no Python, no Go).",
    default: "auto",
    allowed: ["auto", "alembic", "sql"]
  },
  {
    name: "config",
    description: "Relative to working-directory: for Alembic the config file (alembic.ini; found there or in its migrations/ dir when empty), for sql the migrations directory (found among ., migrations/, db/migrations/ when empty).",
    default: ""
  },
  {
    name: "mode",
    description: "static: chain checks only; roundtrip: up to head, down to base, up again; stairway: up, down, up for every revision; live: where the database of live-database-url stands against the chain (what `upgrade head` would apply there), read only.",
    default: "stairway",
    allowed: ["static", "roundtrip", "stairway", "live"]
  },
  {
    name: "live-database-url",
    description: "mode live: the database about to be migrated (postgresql://user:password@host:port/db), only read: every query in a READ ONLY transaction under lock_timeout and statement_timeout. Prefer live-database-url-env, which keeps the URL out of the command line.",
    default: ""
  },
  {
    name: "live-database-url-env",
    description: "mode live: the name of an environment variable holding the live database URL (instead of live-database-url).",
    default: ""
  },
  {
    name: "live-expect",
    description: "mode live: any: migrations still pending there are a notice (before a deploy); head: they are a pending-migrations error (after a deploy, to verify it migrated).",
    default: "any",
    allowed: ["any", "head"]
  },
  {
    name: "live-predict",
    description: "mode live: apply the pending migrations, and roll them back, on a copy of the live schema (pg_dump --schema-only, which needs SELECT on its tables and a pg_dump of at least its major) to say whether the deploy will work. off: not tried. A prediction that cannot run fails the gate, saying why.",
    default: "true",
    allowed: ["true", "false"]
  },
  {
    name: "replay-workers",
    description: "Databases the stairway runs on side by side (at most 8), each checking one contiguous slice of the chain after replaying the steps before it unchecked. auto: one per two CPU cores (a database keeps a Python process and a PostgreSQL backend busy), at most 4, only for chains of at least 50 revisions per database, and one database when the migrations create roles, tablespaces or databases (objects every database of the server shares); 1: a single database.",
    default: "auto"
  },
  {
    name: "postgres",
    description: "Where the ephemeral PostgreSQL comes from. auto: url when database-url is set, else local binaries of postgres-version, else docker where an engine answers, else embedded (downloaded for that major when needed). With postgres-version any: docker, else the newest local binaries, else embedded.",
    default: "auto",
    allowed: ["auto", "docker", "local", "embedded", "url"]
  },
  {
    name: "postgres-version",
    description: `The PostgreSQL major of production (${VERSION_VALUES.slice(0, -1).join(", ")}): the servers the gate starts are that major, and another is an error. Empty: ${DEFAULT_MAJOR}, the newest supported (a database-url server is then used whatever its major). any: whatever the provider finds (the newest local binaries, the installed embedded package). The report names the version used.`,
    default: ""
  },
  {
    name: "database-url",
    description: "An existing server (postgresql://user:password@host:port/db) whose user has CREATEDB; the gate creates and drops its own scratch databases there.",
    default: ""
  },
  {
    name: "postgres-image",
    description: "Docker image for postgres: docker. Empty: postgres:<postgres-version>-alpine (any: the newest supported major).",
    default: ""
  },
  { name: "pg-bin", description: "Directory holding initdb and postgres for postgres: local.", default: "" },
  {
    name: "python",
    description: "Python interpreter that can import alembic and the project. Empty: the first of the project's .venv/bin/python, venv/bin/python, python3, /usr/bin/python3 that can.",
    default: ""
  },
  {
    name: "database-url-env",
    description: "Environment variables that receive the scratch database URL (comma separated), for env.py files that read it from the environment.",
    default: "DATABASE_URL"
  },
  {
    name: "database-parts-env",
    description: "Environment variables that receive one part of the scratch database (comma separated), for settings that build the URL from parts. NAME takes the part its name ends with (HOST or SERVER, PORT, USER, PASSWORD, DB, DATABASE or NAME); NAME=part names it (host, port, user, password, database). none: no variable.",
    default: DEFAULT_PARTS_ENV.join(",")
  },
  {
    name: "step-timeout",
    description: "Seconds a single migration step may run before it is stopped and reported.",
    default: "300"
  },
  {
    name: "irreversible-severity",
    description: "Severity of irreversible-migration findings.",
    default: "warning",
    allowed: ["error", "warning", "notice"]
  },
  {
    name: "allow-irreversible",
    description: 'Revisions accepted as irreversible, one per line: "REVISION: reason" (the reason is required).',
    default: ""
  },
  { name: "report-json", description: "Write the JSON report to this file.", default: "" },
  {
    name: "sarif",
    description: "Write the findings as SARIF 2.1.0 to this file, for GitHub code scanning (github/codeql-action/upload-sarif). Findings without a file in the repository are listed in the run, not as alerts.",
    default: ""
  },
  {
    name: "base-ref",
    description: "Base branch or commit for the git checks. Empty: the pull request's base (merge queue: the queue's base) from the event, else GITHUB_BASE_REF; none on a push, so the git checks are off.",
    default: ""
  },
  {
    name: "model-paths",
    description: "Globs of model files, relative to the repository root, one per line or comma separated. Empty: for Alembic and Flask-Migrate, **/models.py and **/models/**/*.py under working-directory, and the module env.py's target_metadata comes from; for golang-migrate and dbmate, none.",
    default: ""
  },
  {
    name: "migration-paths",
    description: "Globs of migration files, relative to the repository root. Empty: the tool's versions directories.",
    default: ""
  },
  {
    name: "strict",
    description: "Fail on replay findings in revisions that already exist on the base branch too (by default they are reported as pre-existing notices).",
    default: "false",
    allowed: ["true", "false"]
  },
  {
    name: "migration-edited-severity",
    description: "Severity when the PR modifies or deletes a migration that exists on the base branch.",
    default: "error",
    allowed: ["error", "warning", "notice"]
  },
  {
    name: "no-migration-label",
    description: 'PR label that accepts model changes without a migration, together with a line "Migration-Gate-No-Migration: <reason>" in the PR description. That line in a commit message accepts them without the label. The reason is required and shown in the report.',
    default: "migration-gate:no-migration-needed"
  },
  {
    name: "model-drift",
    description: "Compare the schema the models declare with the schema the migrations build.",
    default: "true",
    allowed: ["true", "false"]
  },
  {
    name: "compare-server-default",
    description: "Let model-drift compare server defaults too.",
    default: "false",
    allowed: ["true", "false"]
  },
  {
    name: "live-ignore",
    description: 'Objects of the live database that live-drift leaves out, one per line: "SCHEMA.OBJECT: reason" (the reason is required). * and ? match within one name; a pattern matching a table covers its columns, indexes and constraints (SCHEMA.TABLE.PART names one); SCHEMA.* covers a whole schema.',
    default: ""
  },
  {
    name: "live-drift-severity",
    description: "Severity of live-drift findings (the live database's schema against the one its migrations build at its revision). off: not compared (no scratch database is built for it).",
    default: "error",
    allowed: ["error", "warning", "notice", "off"]
  },
  {
    name: "comment",
    description: "Post one sticky PR comment with the findings.",
    default: "false",
    allowed: ["true", "false"],
    actionOnly: true
  },
  { name: "github-token", description: "Token for the PR comment.", default: "${{ github.token }}", actionOnly: true }
];
var spec = (name) => {
  const s = INPUTS.find((i) => i.name === name);
  if (!s) throw new Error(`unknown input ${name}`);
  return s;
};
function value(get, name) {
  const s = spec(name);
  const raw = (get(name) ?? "").trim();
  const v = raw === "" ? s.default : raw;
  if (s.allowed && !s.allowed.includes(v)) {
    throw new GateError(`${name}: unknown value "${v}" (allowed: ${s.allowed.join(", ")})`, name);
  }
  return v;
}
var MAX_SECONDS = Math.floor((2 ** 31 - 1) / 1e3);
function positiveNumber(name, v) {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new GateError(`${name}: "${v}" is not a positive number of seconds`, name);
  if (n > MAX_SECONDS) throw new GateError(`${name}: ${v} seconds is more than the ${MAX_SECONDS} allowed`, name);
  return n;
}
var MAX_WORKERS = 8;
function workers(v) {
  if (v === "auto") return "auto";
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > MAX_WORKERS) {
    throw new GateError(
      `replay-workers: "${v}" is neither auto nor a whole number from 1 to ${MAX_WORKERS}`,
      "replay-workers"
    );
  }
  return n;
}
function parseAllowList(text) {
  const allow = /* @__PURE__ */ new Map();
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const m = /^([^:\s]+)\s*:\s*(.+)$/.exec(line);
    if (!m?.[1] || !m[2]) {
      throw new GateError(
        `allow-irreversible: "${line}" needs a reason ("REVISION: why it is accepted")`,
        "allow-irreversible"
      );
    }
    allow.set(m[1], m[2].trim());
  }
  return allow;
}
function list(text) {
  return text.split(/[\n,]/).map((s) => s.trim()).filter(Boolean);
}
function isDirectory(p) {
  try {
    return statSync2(p).isDirectory();
  } catch {
    return false;
  }
}
function isWritableDir(dir) {
  try {
    accessSync(dir, constants.W_OK);
    return statSync2(dir).isDirectory();
  } catch {
    return false;
  }
}
function checkOutputFile(name, path) {
  if (isDirectory(resolve(path))) throw new GateError(`${name}: ${path} is a directory; give a file path`, name);
  if (!isWritableDir(dirname(resolve(path)))) {
    throw new GateError(`${name}: the directory of ${path} does not exist or is not writable`, name);
  }
}
function versionChoice(given) {
  if (given) return { version: parsePostgresVersion(given), explicit: true };
  const fromEnv = (process.env.MIGRATION_GATE_POSTGRES_VERSION ?? "").trim();
  if (!fromEnv) return { version: DEFAULT_MAJOR, explicit: false };
  try {
    return { version: parsePostgresVersion(fromEnv), explicit: false };
  } catch {
    throw new GateError(
      `postgres-version: MIGRATION_GATE_POSTGRES_VERSION="${fromEnv}" is not a major (allowed: ${VERSION_VALUES.join(", ")})`,
      "postgres-version"
    );
  }
}
function readConfig(get) {
  const optional = (name) => value(get, name) || void 0;
  const postgresVersion = versionChoice(value(get, "postgres-version"));
  const config = {
    projectDir: resolve(value(get, "working-directory")),
    tool: value(get, "tool"),
    mode: value(get, "mode"),
    postgres: value(get, "postgres"),
    postgresVersion,
    postgresImage: value(get, "postgres-image") || defaultPostgresImage(postgresVersion.version),
    databaseUrlEnv: value(get, "database-url-env").split(/[,\s]+/).filter(Boolean),
    databasePartsEnv: parsePartsEnv(value(get, "database-parts-env")),
    stepTimeoutSeconds: positiveNumber("step-timeout", value(get, "step-timeout")),
    replayWorkers: workers(value(get, "replay-workers")),
    irreversibleSeverity: value(get, "irreversible-severity"),
    allowIrreversible: parseAllowList(value(get, "allow-irreversible")),
    modelPaths: list(value(get, "model-paths")),
    migrationPaths: list(value(get, "migration-paths")),
    strict: value(get, "strict") === "true",
    migrationEditedSeverity: value(get, "migration-edited-severity"),
    noMigrationLabel: value(get, "no-migration-label"),
    modelDrift: value(get, "model-drift") === "true",
    compareServerDefault: value(get, "compare-server-default") === "true",
    liveExpect: value(get, "live-expect"),
    livePredict: value(get, "live-predict") === "true",
    liveIgnore: parseLiveIgnore(value(get, "live-ignore")),
    liveDriftSeverity: value(get, "live-drift-severity")
  };
  const opt = {
    config: optional("config"),
    databaseUrl: optional("database-url"),
    pgBin: optional("pg-bin"),
    python: optional("python"),
    reportJson: optional("report-json"),
    sarif: optional("sarif"),
    baseRef: optional("base-ref"),
    liveDatabaseUrl: optional("live-database-url"),
    liveDatabaseUrlEnv: optional("live-database-url-env")
  };
  for (const [k, v] of Object.entries(opt)) if (v !== void 0) Object.assign(config, { [k]: v });
  if (config.python?.includes("/")) config.python = resolve(config.python);
  if (config.reportJson) checkOutputFile("report-json", config.reportJson);
  if (config.sarif) checkOutputFile("sarif", config.sarif);
  if (config.postgres === "url" && !config.databaseUrl) {
    throw new GateError('database-url: required when postgres is "url"', "database-url");
  }
  checkLiveInputs(config);
  return config;
}
function checkLiveInputs(config) {
  const { liveDatabaseUrl: url, liveDatabaseUrlEnv: env } = config;
  if (config.mode !== "live") {
    const given = url ? "live-database-url" : env ? "live-database-url-env" : config.liveExpect !== "any" ? "live-expect" : !config.livePredict ? "live-predict" : void 0;
    if (given) throw new GateError(`${given}: only used with mode live (mode is ${config.mode})`, given);
    return;
  }
  if (url && env) {
    throw new GateError(
      "live-database-url: give either live-database-url or live-database-url-env, not both",
      "live-database-url"
    );
  }
  if (!url && !env) {
    throw new GateError(
      "live-database-url: required when mode is live (or live-database-url-env, naming the environment variable that holds it)",
      "live-database-url"
    );
  }
  if (env && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(env)) {
    throw new GateError(`live-database-url-env: "${env}" is not an environment variable name`, "live-database-url-env");
  }
  if (url) checkLiveUrl(url, "live-database-url");
}
function readActionInputs(get) {
  const token = value(get, "github-token");
  const usable = token && !token.startsWith("${{");
  return { comment: value(get, "comment") === "true", ...usable ? { githubToken: token } : {} };
}

// src/signal-cleanup.ts
var live = /* @__PURE__ */ new Set();
var installed = false;
var signalled = null;
var SIGNAL_CLEANUP_MS = 6e3;
var onSigint = () => onSignal("SIGINT", 130);
var onSigterm = () => onSignal("SIGTERM", 143);
function onSignal(signal, code2) {
  if (signalled) return;
  signalled = signal;
  process.stderr.write(`migration-gate: ${signal} received, cleaning up
`);
  const swallow = () => {
  };
  process.on("uncaughtException", swallow);
  process.on("unhandledRejection", swallow);
  setTimeout(() => process.exit(code2), SIGNAL_CLEANUP_MS).unref();
  void cleanupLive().finally(() => process.exit(code2));
}
async function cleanupLive() {
  for (const tracker of [...live].reverse()) await tracker.cleanupAll();
}
function onExit() {
  for (const tracker of live) {
    try {
      tracker.cleanupSync();
    } catch {
    }
  }
}
function install() {
  if (installed) return;
  installed = true;
  process.once("SIGINT", onSigint);
  process.once("SIGTERM", onSigterm);
  process.on("exit", onExit);
}
function uninstallIfIdle() {
  if (!installed || signalled || live.size > 0) return;
  installed = false;
  process.removeListener("SIGINT", onSigint);
  process.removeListener("SIGTERM", onSigterm);
  process.removeListener("exit", onExit);
}
function trackerLive(tracker) {
  live.add(tracker);
  install();
}
function trackerIdle(tracker) {
  live.delete(tracker);
  uninstallIfIdle();
}
function interruptedBy() {
  return signalled;
}

// src/version.ts
var VERSION = "0.1.0";

export {
  GateError,
  requireDirectory,
  oneLine,
  isKnownSystemError,
  errorLine,
  escapeRegExp,
  checkServerMajor,
  defaultPostgresImage,
  md,
  preText,
  code,
  clip,
  mermaidText,
  urlPath,
  inertLog,
  inertCommandText,
  redactCredentials,
  withoutCredentials,
  withCredentialsFrom,
  registerSecrets,
  scrub,
  scrubDeep,
  scrubbedLogger,
  scrubError,
  resolveLiveTarget,
  describeLive,
  splitLiveUrl,
  ruleFor,
  urlPartOf,
  INPUTS,
  readConfig,
  readActionInputs,
  trackerLive,
  trackerIdle,
  interruptedBy,
  VERSION
};
