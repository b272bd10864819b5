import { createRequire as __mgCreateRequire } from 'node:module';import { fileURLToPath as __mgFileURLToPath } from 'node:url';import { dirname as __mgDirname } from 'node:path';const require = __mgCreateRequire(import.meta.url);const __filename = __mgFileURLToPath(import.meta.url);const __dirname = __mgDirname(__filename);
import {
  DEFAULT_MAJOR,
  GateError,
  VERSION_VALUES,
  errorLine,
  isKnownSystemError,
  oneLine,
  parsePostgresVersion
} from "./chunk-LT4XZVPY.js";

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
import { dirname, resolve as resolve2 } from "node:path";

// src/project-dirs.ts
import { readdirSync, statSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";

// src/git/glob.ts
function globToRegExp(glob) {
  const g = glob.trim().replace(/^\.\//, "").replace(/\/+$/, "");
  let re = "";
  let braces = 0;
  for (let i = 0; i < g.length; i++) {
    const c = g[i];
    if (c === "*") {
      if (g[i + 1] === "*") {
        if (g[i + 2] === "/") {
          re += "(?:[^/]*/)*";
          i += 2;
        } else {
          re += ".*";
          i += 1;
        }
      } else {
        re += "[^/]*";
      }
    } else if (c === "?") re += "[^/]";
    else if (c === "{") {
      braces++;
      re += "(?:";
    } else if (c === "}" && braces > 0) {
      braces--;
      re += ")";
    } else if (c === "," && braces > 0) re += "|";
    else re += c.replace(/[.+^$()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}(?:/.*)?$`);
}
function globMatcher(globs) {
  const res = globs.filter((g) => g.trim() !== "").map(globToRegExp);
  return (file) => res.some((re) => re.test(file));
}

// src/project-dirs.ts
var INPUT = "working-directory";
var GLOB_CHARS = /[*?[{]/;
function projectLines(text) {
  return text.split("\n").map((s) => s.trim()).filter(Boolean);
}
function projectDirs(text, cwd = process.cwd()) {
  const lines = projectLines(text);
  if (lines.length === 0) return [resolve(cwd, ".")];
  const only = lines[0];
  if (lines.length === 1 && !GLOB_CHARS.test(only)) return [resolve(cwd, only)];
  const dirs = /* @__PURE__ */ new Set();
  for (const line of lines) {
    if (!GLOB_CHARS.test(line)) {
      const dir = resolve(cwd, line);
      if (!isDirectory(dir)) throw new GateError(`${INPUT}: ${line} is not a directory`, INPUT);
      dirs.add(dir);
      continue;
    }
    const found = expandGlob(line, cwd);
    if (found.length === 0) throw new GateError(`${INPUT}: ${line} matches no directory`, INPUT);
    for (const dir of found) dirs.add(dir);
  }
  return [...dirs].sort();
}
function expandGlob(glob, cwd) {
  const start = isAbsolute(glob) ? "/" : cwd;
  const segments = glob.split("/").filter((s) => s !== "" && s !== ".");
  let current = [start];
  for (const segment of segments) {
    const next = [];
    for (const dir of current) {
      if (segment === "**") next.push(dir, ...descendants(dir));
      else if (!GLOB_CHARS.test(segment)) {
        const child = resolve(dir, segment);
        if (isDirectory(child)) next.push(child);
      } else {
        const re = globToRegExp(segment);
        for (const name of childDirs(dir)) if (re.test(name)) next.push(join(dir, name));
      }
    }
    current = [...new Set(next)];
  }
  return current.filter(isDirectory);
}
function childDirs(dir) {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith(".") && e.name !== "node_modules").map((e) => e.name);
  } catch {
    return [];
  }
}
function descendants(dir) {
  const out = [];
  for (const name of childDirs(dir)) {
    const child = join(dir, name);
    out.push(child, ...descendants(child));
  }
  return out;
}
function isDirectory(p) {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

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

// src/postgres/default-image.ts
function defaultPostgresImage(version) {
  return `postgres:${version === "any" ? DEFAULT_MAJOR : version}-alpine`;
}
var DEFAULT_POSTGRES_IMAGE = defaultPostgresImage(DEFAULT_MAJOR);

// src/live/ignore.ts
var INPUT2 = "live-ignore";
function parseLiveIgnore(text) {
  const rules = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const m = /^([^:\s]+)\s*:\s*(.+)$/.exec(line);
    if (!m?.[1] || !m[2]) {
      throw new GateError(`${INPUT2}: "${line}" needs a reason ("SCHEMA.OBJECT: why it is left out")`, INPUT2);
    }
    const pattern = m[1];
    if (!pattern.includes(".") || pattern.startsWith(".") || pattern.endsWith(".")) {
      throw new GateError(
        `${INPUT2}: "${pattern}" is not SCHEMA.OBJECT (write public.${pattern.replace(/^\.+|\.+$/g, "") || "name"}, or *.name for any schema)`,
        INPUT2
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
function ruleFor(rules, names2) {
  return rules.find((r) => names2.some((n) => r.matches(n)));
}

// src/lint/ast.ts
function as(node, key) {
  if (node === void 0 || typeof node !== "object" || !(key in node)) return void 0;
  return node[key];
}
var indexStmt = (n) => as(n, "IndexStmt");
var alterTable = (n) => as(n, "AlterTableStmt");
var renameStmt = (n) => as(n, "RenameStmt");
var dropStmt = (n) => as(n, "DropStmt");
var variableSet = (n) => as(n, "VariableSetStmt");
var transactionStmt = (n) => as(n, "TransactionStmt");
var columnDef = (n) => as(n, "ColumnDef");
var constraint = (n) => as(n, "Constraint");
var createTable = (n) => as(n, "CreateStmt");
function alterCommands(n) {
  const alter = alterTable(n);
  if (!alter || alter.objtype && alter.objtype !== "OBJECT_TABLE") return [];
  return (alter.cmds ?? []).flatMap((c) => {
    const cmd = as(c, "AlterTableCmd");
    return cmd ? [cmd] : [];
  });
}
function columnConstraints(col) {
  return (col?.constraints ?? []).flatMap((c) => {
    const con = constraint(c);
    return con ? [con] : [];
  });
}
function nameList(n) {
  const list2 = as(n, "List");
  return (list2?.items ?? []).flatMap((i) => {
    const s = as(i, "String")?.sval;
    return s === void 0 ? [] : [s];
  });
}
function nameOf(r) {
  if (!r?.relname) return void 0;
  return r.schemaname ? `${r.schemaname}.${r.relname}` : r.relname;
}
function sameRelation(written, reported) {
  if (written.includes(".")) return written === reported;
  const dot = reported.lastIndexOf(".");
  return (dot === -1 ? reported : reported.slice(dot + 1)) === written;
}
function relationsNamed(node, out = /* @__PURE__ */ new Set()) {
  if (Array.isArray(node)) {
    for (const item of node) relationsNamed(item, out);
  } else if (node !== null && typeof node === "object") {
    const obj = node;
    if (typeof obj.relname === "string") out.add(nameOf(obj));
    const drop = dropStmt(node);
    if (drop) for (const o of drop.objects ?? []) out.add(nameList(o).join("."));
    for (const value2 of Object.values(obj)) relationsNamed(value2, out);
  }
  return out;
}

// src/lint/facts.ts
function existedBefore(context, written) {
  if (written === void 0) return true;
  const observed = context.observed;
  if (observed?.created.some((r) => sameRelation(written, r))) return false;
  if (observed?.locks.some((l) => !l.existedBefore && sameRelation(written, l.relation))) return false;
  return !context.before.some((s) => {
    const created = nameOf(createTable(s.stmt)?.relation);
    return created !== void 0 && sameRelation(created, written);
  });
}
function observedLock(context, written) {
  return context.observed?.locks.find((l) => sameRelation(written, l.relation));
}
var locksSeen = (context) => context.observed?.locksComplete === true;
function lockClause(context, written) {
  if (!context.observed) return " (judged from the statement alone: this step was not observed)";
  const lock = observedLock(context, written);
  if (lock) return ` (observed: the migration as a whole held ${lock.mode} on ${lock.relation} until commit)`;
  if (!context.observed.locksComplete)
    return " (judged from the statement: part of the step ran outside a transaction the gate could look into, so its locks were not all seen)";
  return "";
}
function rewriteObserved(context, written) {
  if (!context.observed) return void 0;
  return context.observed.rewritten.some((r) => sameRelation(written, r));
}
var q = (name) => `\`${name}\``;

// src/lint/rules/adding-field-with-default.ts
var STABLE = /* @__PURE__ */ new Set(["now", "transaction_timestamp", "statement_timestamp"]);
function constant(expr) {
  if (!expr) return true;
  if ("A_Const" in expr || "SQLValueFunction" in expr) return true;
  if ("TypeCast" in expr) return constant(expr.TypeCast.arg);
  if ("FuncCall" in expr) {
    const name = expr.FuncCall.funcname?.at(-1);
    const fn = name && "String" in name ? name.String.sval : void 0;
    return fn !== void 0 && STABLE.has(fn) && (expr.FuncCall.args ?? []).length === 0;
  }
  return false;
}
var ADDING_FIELD_WITH_DEFAULT = {
  id: "adding-field-with-default",
  squawk: "adding-field-with-default",
  what: "`ADD COLUMN` with a volatile default (or a `STORED` generated column) on a table that existed before the migration: the server rewrote the table",
  why: "every row is rewritten under an ACCESS EXCLUSIVE lock: no reads or writes of the table until the rewrite commits, minutes on a big table (a constant default is only recorded in the catalog)",
  fix: "add the column without a default (or with a constant one), backfill it in batches, then `SET DEFAULT` for new rows",
  check(context) {
    const table = nameOf(alterTable(context.statement.stmt)?.relation);
    if (!table || !existedBefore(context, table)) return [];
    const rewritten = rewriteObserved(context, table);
    return alterCommands(context.statement.stmt).flatMap((cmd) => {
      if (cmd.subtype !== "AT_AddColumn") return [];
      const col = columnDef(cmd.def);
      const cons = columnConstraints(col);
      const stored = cons.some((c) => c.contype === "CONSTR_GENERATED");
      const fallback = cons.find((c) => c.contype === "CONSTR_DEFAULT" && !constant(c.raw_expr));
      if (!stored && !fallback) return [];
      if (rewritten === false) return [];
      const column = q(col?.colname ?? "?");
      const seen = rewritten === true ? `the server rewrote ${q(table)} (observed)` : `a default that is not a constant may rewrite ${q(table)}${lockClause(context, table)}`;
      return [
        {
          relation: table,
          message: `ADD COLUMN ${column} with ${stored ? "a STORED generated value" : "a volatile default"}: ${seen}, every row under an ACCESS EXCLUSIVE lock, so no reads or writes of ${q(table)} until it commits, minutes on a big table.`,
          fix: `Add ${column} without a default (or with a constant one), backfill it in batches, then SET DEFAULT for new rows.`
        }
      ];
    });
  }
};

// src/lint/rules/adding-foreign-key-constraint.ts
var ADDING_FOREIGN_KEY_CONSTRAINT = {
  id: "adding-foreign-key-constraint",
  squawk: "adding-foreign-key-constraint",
  what: "a foreign key added without `NOT VALID` to a table that existed before the migration",
  why: "every existing row is checked against the referenced table while both are locked against writes (SHARE ROW EXCLUSIVE) until commit",
  fix: "add it `NOT VALID`, then `VALIDATE CONSTRAINT` in a later migration: validation takes only a SHARE UPDATE EXCLUSIVE lock on the table and a ROW SHARE lock on the referenced one",
  check(context) {
    const table = nameOf(alterTable(context.statement.stmt)?.relation);
    if (!table || !existedBefore(context, table)) return [];
    return alterCommands(context.statement.stmt).flatMap((cmd) => {
      const con = constraint(cmd.def);
      if (cmd.subtype !== "AT_AddConstraint" || con?.contype !== "CONSTR_FOREIGN" || con.skip_validation) return [];
      const target = nameOf(con.pktable) ?? "?";
      const name = con.conname ? `${q(con.conname)} ` : "";
      return [
        {
          relation: table,
          message: `Foreign key ${name}from ${q(table)} to ${q(target)} without NOT VALID checks every row of ${q(table)} while writes to both tables are blocked until commit${lockClause(context, table)}.`,
          fix: "Add it NOT VALID (Alembic: `op.create_foreign_key(..., postgresql_not_valid=True)`), then VALIDATE CONSTRAINT in a later migration, which blocks no writes."
        }
      ];
    });
  }
};

// src/lint/rules/adding-required-field.ts
var ADDING_REQUIRED_FIELD = {
  id: "adding-required-field",
  squawk: "adding-required-field",
  what: "`ADD COLUMN ... NOT NULL` without a default on a table that existed before the migration",
  why: 'the existing rows have no value for it: the migration fails on any table with rows ("column contains null values"), although it passed on the empty scratch database',
  fix: "add the column nullable, backfill it, then `SET NOT NULL` (after a `CHECK (col IS NOT NULL) NOT VALID` constraint is validated, so the scan holds no ACCESS EXCLUSIVE lock); or give it a constant default",
  check(context) {
    const table = nameOf(alterTable(context.statement.stmt)?.relation);
    if (!table || !existedBefore(context, table)) return [];
    return alterCommands(context.statement.stmt).flatMap((cmd) => {
      if (cmd.subtype !== "AT_AddColumn") return [];
      const col = columnDef(cmd.def);
      const kinds = columnConstraints(col).map((c) => c.contype);
      const notNull = kinds.includes("CONSTR_NOTNULL") || kinds.includes("CONSTR_PRIMARY");
      const filled = ["CONSTR_DEFAULT", "CONSTR_IDENTITY", "CONSTR_GENERATED"].some((k) => kinds.includes(k));
      if (!notNull || filled) return [];
      const column = col?.colname ?? "?";
      return [
        {
          relation: table,
          message: `ADD COLUMN ${q(column)} NOT NULL without a default fails on ${q(table)} as soon as it has a row ("column contains null values"): it passed here only because the scratch table is empty.`,
          fix: `Add ${q(column)} nullable, backfill it, then SET NOT NULL (validate a CHECK (${column} IS NOT NULL) NOT VALID constraint first so the scan holds no ACCESS EXCLUSIVE lock); or give it a constant DEFAULT.`
        }
      ];
    });
  }
};

// src/lint/rules/require-concurrent-index-creation.ts
var NO_TRANSACTION = "in a migration without a transaction (Alembic: inside `with op.get_context().autocommit_block():`; golang-migrate: a file holding that one statement; dbmate: `-- migrate:up transaction:false`; Django: a migration with `atomic = False`)";
var REQUIRE_CONCURRENT_INDEX_CREATION = {
  id: "require-concurrent-index-creation",
  squawk: "require-concurrent-index-creation",
  what: "`CREATE INDEX` without `CONCURRENTLY` on a table that existed before the migration",
  why: "the build holds a SHARE lock on the table until commit: every INSERT, UPDATE and DELETE waits for as long as the build takes, minutes on a big table",
  fix: `\`CREATE INDEX CONCURRENTLY\` ${NO_TRANSACTION}; Alembic: \`op.create_index(..., postgresql_concurrently=True)\`; Django: \`AddIndexConcurrently\` (django.contrib.postgres.operations)`,
  check({ statement, ...context }) {
    const index = indexStmt(statement.stmt);
    const table = nameOf(index?.relation);
    if (!index || index.concurrent || !table || !existedBefore({ statement, ...context }, table)) return [];
    const name = index.idxname ? `${q(index.idxname)} ` : "";
    return [
      {
        relation: table,
        message: `CREATE INDEX ${name}ON ${q(table)} blocks writes to ${q(table)} (SHARE lock held until commit) for as long as the build takes: minutes on a big table${lockClause({ statement, ...context }, table)}.`,
        fix: `Use CREATE INDEX CONCURRENTLY ${NO_TRANSACTION}; Alembic: \`op.create_index(..., postgresql_concurrently=True)\` inside the autocommit block; Django: \`AddIndexConcurrently\` (django.contrib.postgres.operations) instead of AddIndex.`
      }
    ];
  }
};

// src/lint/rules/ban-concurrent-index-creation-in-transaction.ts
function openTransaction(context) {
  let open = false;
  for (const s of context.before) {
    const kind = transactionStmt(s.stmt)?.kind;
    if (kind === "TRANS_STMT_BEGIN" || kind === "TRANS_STMT_START") open = true;
    if (kind === "TRANS_STMT_COMMIT" || kind === "TRANS_STMT_ROLLBACK") open = false;
  }
  return open;
}
var BAN_CONCURRENT_INDEX_CREATION_IN_TRANSACTION = {
  id: "ban-concurrent-index-creation-in-transaction",
  squawk: "ban-concurrent-index-creation-in-transaction",
  what: "`CREATE INDEX CONCURRENTLY` (or `DROP INDEX CONCURRENTLY`) inside a transaction",
  why: 'PostgreSQL refuses it ("cannot run inside a transaction block"): the migration fails on every database it is run on',
  fix: `run it ${NO_TRANSACTION}`,
  check(context) {
    const { statement } = context;
    const concurrent = indexStmt(statement.stmt)?.concurrent || dropStmt(statement.stmt)?.concurrent;
    if (!concurrent) return [];
    const failedHere = context.error !== void 0 && context.after.length === 0;
    const why = failedHere ? `the step failed at it: ${context.error}` : openTransaction(context) ? "an explicit BEGIN earlier in the step is still open" : statement.multi ? "it was sent in one text with other statements, which PostgreSQL runs as one implicit transaction" : void 0;
    if (why === void 0) return [];
    return [
      {
        message: `${indexStmt(statement.stmt) ? "CREATE" : "DROP"} INDEX CONCURRENTLY cannot run inside a transaction block and fails on every database (${why}).`,
        fix: `Run it ${NO_TRANSACTION}.`
      }
    ];
  }
};

// src/lint/rules/ban-drop-column.ts
var BAN_DROP_COLUMN = {
  id: "ban-drop-column",
  squawk: "ban-drop-column",
  what: "`DROP COLUMN` on a table that existed before the migration (a notice: usually deliberate)",
  why: "the column's data is lost (a downgrade brings the column back empty), and the app version still running during the deploy fails if it still reads or writes it",
  fix: "stop using the column in a release first (remove it from the model: model-drift reports a column the models still declare), then drop it",
  usual: "notice",
  check(context) {
    const table = nameOf(alterTable(context.statement.stmt)?.relation);
    if (!table || !existedBefore(context, table)) return [];
    const columns = alterCommands(context.statement.stmt).filter((c) => c.subtype === "AT_DropColumn").map((c) => c.name ?? "?");
    if (columns.length === 0) return [];
    const names2 = columns.map((c) => q(`${table}.${c}`)).join(", ");
    return [
      {
        relation: table,
        message: `Dropping ${names2} loses its data for good (a downgrade brings it back empty), and the app version still running during the deploy fails if it still uses it.`,
        fix: "Make sure a released app version no longer reads or writes it (the model no longer declares it) before dropping it; keep a backup if the data may be needed."
      }
    ];
  }
};

// src/lint/rules/ban-drop-table.ts
var BAN_DROP_TABLE = {
  id: "ban-drop-table",
  squawk: "ban-drop-table",
  what: "`DROP TABLE` of a table that existed before the migration (a notice: usually deliberate)",
  why: "its rows are lost (a downgrade brings the table back empty), and the app version still running during the deploy fails if it still uses it",
  fix: "stop using the table in a release first (remove it from the models: model-drift reports a table the models still declare), then drop it",
  usual: "notice",
  check(context) {
    const drop = dropStmt(context.statement.stmt);
    if (drop?.removeType !== "OBJECT_TABLE") return [];
    const tables = (drop.objects ?? []).map((o) => nameList(o).join(".")).filter((t) => existedBefore(context, t));
    if (tables.length === 0) return [];
    const names2 = tables.map(q).join(", ");
    return [
      {
        relation: tables[0],
        message: `Dropping ${names2} loses every row for good (a downgrade brings it back empty), and the app version still running during the deploy fails if it still uses it.`,
        fix: "Make sure a released app version no longer uses it (the models no longer declare it) before dropping it; keep a backup if the data may be needed."
      }
    ];
  }
};

// src/lint/rules/changing-column-type.ts
var CHANGING_COLUMN_TYPE = {
  id: "changing-column-type",
  squawk: "changing-column-type",
  what: "`ALTER COLUMN ... TYPE` on a table that existed before the migration (reported with whether the server rewrote the table)",
  why: "it holds an ACCESS EXCLUSIVE lock until commit, and unless the change is binary-coercible the table and its indexes are rewritten under it: no reads or writes for minutes on a big table; the running app may also break on the new type",
  fix: "add a column of the new type, write both from the app, backfill in batches, switch reads, then drop the old column",
  check(context) {
    const table = nameOf(alterTable(context.statement.stmt)?.relation);
    if (!table || !existedBefore(context, table)) return [];
    const columns = alterCommands(context.statement.stmt).filter((c) => c.subtype === "AT_AlterColumnType").map((c) => c.name ?? "?");
    if (columns.length === 0) return [];
    const rewritten = rewriteObserved(context, table);
    const seen = rewritten === true ? `the server rewrote ${q(table)} and its indexes under an ACCESS EXCLUSIVE lock (observed)` : rewritten === false ? `no rewrite was observed (a binary-coercible change), but the ACCESS EXCLUSIVE lock on ${q(table)} is held until commit${lockClause(context, table)}` : `unless the change is binary-coercible it rewrites ${q(table)} and its indexes under an ACCESS EXCLUSIVE lock${lockClause(context, table)}`;
    return [
      {
        relation: table,
        message: `Changing the type of ${columns.map((c) => q(`${table}.${c}`)).join(", ")}: ${seen}; no reads or writes of ${q(table)} until it commits, and the app version still running may not handle the new type.`,
        fix: "Add a column of the new type, write both from the app, backfill in batches, switch reads to it, then drop the old column."
      }
    ];
  }
};

// src/lint/rules/constraint-missing-not-valid.ts
function addedNotValid(context) {
  const names2 = /* @__PURE__ */ new Set();
  for (const s of context.before) {
    for (const cmd of alterCommands(s.stmt)) {
      const con = constraint(cmd.def);
      if (cmd.subtype === "AT_AddConstraint" && con?.skip_validation && con.conname) names2.add(con.conname);
    }
  }
  return names2;
}
var CONSTRAINT_MISSING_NOT_VALID = {
  id: "constraint-missing-not-valid",
  squawk: "constraint-missing-not-valid",
  what: "`ADD CONSTRAINT ... CHECK` without `NOT VALID` on a table that existed before the migration, or `VALIDATE CONSTRAINT` in the same transaction that added it `NOT VALID`",
  why: "every row is scanned while the ALTER TABLE holds its ACCESS EXCLUSIVE lock: no reads or writes of the table for as long as the scan takes",
  fix: "add it `NOT VALID` (existing rows are not checked, new ones are), then `VALIDATE CONSTRAINT` in a later migration or transaction: validation takes only a SHARE UPDATE EXCLUSIVE lock",
  check(context) {
    const table = nameOf(alterTable(context.statement.stmt)?.relation);
    if (!table || !existedBefore(context, table)) return [];
    const earlier = addedNotValid(context);
    return alterCommands(context.statement.stmt).flatMap((cmd) => {
      const con = constraint(cmd.def);
      if (cmd.subtype === "AT_AddConstraint" && con?.contype === "CONSTR_CHECK" && !con.skip_validation) {
        const name = con.conname ? `${q(con.conname)} ` : "";
        return [
          {
            relation: table,
            message: `ADD CONSTRAINT ${name}CHECK on ${q(table)} scans every row while holding an ACCESS EXCLUSIVE lock: no reads or writes of ${q(table)} until the scan and the migration finish${lockClause(context, table)}.`,
            fix: "Add it NOT VALID (new rows are checked at once), then VALIDATE CONSTRAINT in a later migration or transaction, which takes only a SHARE UPDATE EXCLUSIVE lock."
          }
        ];
      }
      if (cmd.subtype === "AT_ValidateConstraint" && cmd.name && earlier.has(cmd.name)) {
        return [
          {
            relation: table,
            message: `VALIDATE CONSTRAINT ${q(cmd.name)} runs in the same transaction that added it NOT VALID: the scan happens while the ADD's ACCESS EXCLUSIVE lock on ${q(table)} is still held, which NOT VALID was meant to avoid.`,
            fix: "Move VALIDATE CONSTRAINT to a later migration (or, in a migration without a transaction, after a COMMIT)."
          }
        ];
      }
      return [];
    });
  }
};

// src/lint/rules/disallowed-unique-constraint.ts
var DISALLOWED_UNIQUE_CONSTRAINT = {
  id: "disallowed-unique-constraint",
  squawk: "disallowed-unique-constraint",
  what: "`ADD CONSTRAINT ... UNIQUE` without `USING INDEX` on a table that existed before the migration",
  why: "the unique index is built while the ALTER TABLE holds an ACCESS EXCLUSIVE lock: no reads or writes of the table for as long as the build takes",
  fix: "`CREATE UNIQUE INDEX CONCURRENTLY` first (in a migration without a transaction), then `ADD CONSTRAINT ... UNIQUE USING INDEX`, which only takes over the index",
  check(context) {
    const table = nameOf(alterTable(context.statement.stmt)?.relation);
    if (!table || !existedBefore(context, table)) return [];
    return alterCommands(context.statement.stmt).flatMap((cmd) => {
      const con = constraint(cmd.def);
      if (cmd.subtype !== "AT_AddConstraint" || con?.contype !== "CONSTR_UNIQUE" || con.indexname) return [];
      const name = con.conname ? `${q(con.conname)} ` : "";
      return [
        {
          relation: table,
          message: `ADD CONSTRAINT ${name}UNIQUE on ${q(table)} builds its index under an ACCESS EXCLUSIVE lock: no reads or writes of ${q(table)} for as long as the build takes${lockClause(context, table)}.`,
          fix: "CREATE UNIQUE INDEX CONCURRENTLY first (in a migration without a transaction), then ADD CONSTRAINT ... UNIQUE USING INDEX, which takes the index over at once."
        }
      ];
    });
  }
};

// src/lint/rules/observed-access-exclusive-lock.ts
var names = (s, relation) => [...relationsNamed(s.stmt)].some((w) => sameRelation(w, relation));
var OBSERVED_ACCESS_EXCLUSIVE_LOCK = {
  id: "observed-access-exclusive-lock",
  what: "the server saw the migration hold an ACCESS EXCLUSIVE lock on a relation that existed before it (named), whichever statement took it",
  why: "until the migration commits, nothing can read or write that table: every query on it waits, and the wait grows with the migration and with any long query it queued behind",
  fix: "keep the locking statement alone in a short migration with a `lock_timeout`, or use the form that takes a weaker lock (CONCURRENTLY, NOT VALID then VALIDATE, a new column then a backfill)",
  check({ statement, before, after, observed }) {
    const tables = /* @__PURE__ */ new Map();
    for (const l of observed?.locks ?? []) {
      if (l.mode !== "AccessExclusiveLock" || !l.existedBefore) continue;
      const table = l.table ?? l.relation;
      tables.set(table, [...tables.get(table) ?? [], ...l.table ? [l.relation] : []]);
    }
    return [...tables].flatMap(([relation, indexes]) => {
      const named = (s) => [relation, ...indexes].some((r) => names(s, r));
      const here = named(statement) && !before.some(named);
      const leftover = after.length === 0 && ![statement, ...before].some(named);
      if (!here && !leftover) return [];
      const tableLocked = (observed?.locks ?? []).some(
        (l) => l.relation === relation && l.mode === "AccessExclusiveLock"
      );
      const through = tableLocked ? "" : ` (through its ${indexes.length > 1 ? "indexes" : "index"} ${indexes.map((i) => `\`${i}\``).join(", ")}, which every query on it opens)`;
      return [
        {
          relation,
          ...indexes.length ? { also: indexes } : {},
          ...here ? {} : { stepLevel: true },
          // The locks are read at the commit: the transaction's, not one statement's. The first
          // statement naming the table is where it is reported, not necessarily what took it (a
          // dropped foreign key locks the table it referenced without naming it).
          message: here ? `The server saw the migration hold an ACCESS EXCLUSIVE lock on \`${relation}\`${through} until it committed (this is its first statement naming \`${relation}\`): no query could read or write it meanwhile.` : `The server saw the step (no statement names it: a function, a trigger or a DO block took it) hold an ACCESS EXCLUSIVE lock on \`${relation}\`${through} until the migration committed: no query could read or write it meanwhile.`,
          fix: "Keep the locking statement alone in a short migration with a lock_timeout, or use the form taking a weaker lock (CONCURRENTLY, NOT VALID then VALIDATE, a new column then a backfill)."
        }
      ];
    });
  }
};

// src/lint/rules/renaming-column.ts
var RENAMING_COLUMN = {
  id: "renaming-column",
  squawk: "renaming-column",
  what: "`RENAME COLUMN` on a table that existed before the migration",
  why: "the version of the app still running during the deploy queries the old name and fails until every instance is replaced",
  fix: "add the new column, write both, backfill, move reads, and drop the old column in a later release (or keep the old name in the database and rename only in the model)",
  check(context) {
    const rename = renameStmt(context.statement.stmt);
    const table = nameOf(rename?.relation);
    if (rename?.renameType !== "OBJECT_COLUMN" || !table || !existedBefore(context, table)) return [];
    return [
      {
        relation: table,
        message: `Renaming ${q(`${table}.${rename.subname ?? "?"}`)} to ${q(rename.newname ?? "?")} breaks the app version still running during the deploy: its queries name ${q(rename.subname ?? "?")} and fail until every instance is replaced.`,
        fix: "Add the new column, write both from the app, backfill, move reads, and drop the old one in a later release; or keep the column name in the database and rename only the model attribute."
      }
    ];
  }
};

// src/lint/rules/renaming-table.ts
var RENAMING_TABLE = {
  id: "renaming-table",
  squawk: "renaming-table",
  what: "`ALTER TABLE ... RENAME TO` of a table that existed before the migration",
  why: "the version of the app still running during the deploy queries the old name and fails until every instance is replaced",
  fix: "rename in two releases: create a view under the old name (or the new one) so both versions work, then drop it once the old version is gone; or rename only the model",
  check(context) {
    const rename = renameStmt(context.statement.stmt);
    const table = nameOf(rename?.relation);
    if (rename?.renameType !== "OBJECT_TABLE" || !table || !existedBefore(context, table)) return [];
    return [
      {
        relation: table,
        message: `Renaming ${q(table)} to ${q(rename.newname ?? "?")} breaks the app version still running during the deploy: its queries name ${q(table)} and fail until every instance is replaced.`,
        fix: "Rename in two releases with a view under the other name so both app versions work meanwhile; or keep the table name and rename only the model."
      }
    ];
  }
};

// src/lint/rules/require-concurrent-index-deletion.ts
var REQUIRE_CONCURRENT_INDEX_DELETION = {
  id: "require-concurrent-index-deletion",
  squawk: "require-concurrent-index-deletion",
  what: "`DROP INDEX` without `CONCURRENTLY` of an index that existed before the migration",
  why: "it takes an ACCESS EXCLUSIVE lock on the index's table: every query on the table, reads included, waits behind it (and behind any long query already running there)",
  fix: `\`DROP INDEX CONCURRENTLY\` ${NO_TRANSACTION}; Alembic: \`op.drop_index(..., postgresql_concurrently=True)\`; Django: \`RemoveIndexConcurrently\` (django.contrib.postgres.operations)`,
  check(context) {
    const drop = dropStmt(context.statement.stmt);
    if (!drop || drop.removeType !== "OBJECT_INDEX" || drop.concurrent) return [];
    const indexes = (drop.objects ?? []).map((o) => nameList(o).join(".")).filter((n) => existedBefore(context, n));
    if (indexes.length === 0) return [];
    const names2 = indexes.map(q).join(", ");
    return [
      {
        relation: indexes[0],
        message: `DROP INDEX ${names2} takes an ACCESS EXCLUSIVE lock on the table of ${names2} until commit: every query on it, reads included, waits${lockClause(context, indexes[0])}.`,
        fix: `Use DROP INDEX CONCURRENTLY ${NO_TRANSACTION}; Alembic: \`op.drop_index(..., postgresql_concurrently=True)\` inside the autocommit block; Django: \`RemoveIndexConcurrently\` (django.contrib.postgres.operations) instead of RemoveIndex.`
      }
    ];
  }
};

// src/lint/rules/require-timeout-settings.ts
var WEAKER = /* @__PURE__ */ new Set(["AT_ValidateConstraint", "AT_SetStatistics", "AT_ClusterOn", "AT_DropCluster"]);
function accessExclusiveTarget(stmt) {
  const alter = alterTable(stmt);
  if (alter) {
    const cmds = alterCommands(stmt);
    const strong = cmds.some(
      (c) => !WEAKER.has(c.subtype ?? "") && !(c.subtype === "AT_AddConstraint" && constraint(c.def)?.contype === "CONSTR_FOREIGN")
    );
    return strong ? nameOf(alter.relation) : void 0;
  }
  const rename = renameStmt(stmt);
  if (rename?.renameType === "OBJECT_TABLE" || rename?.renameType === "OBJECT_COLUMN") return nameOf(rename.relation);
  const drop = dropStmt(stmt);
  if (drop?.removeType === "OBJECT_TABLE" && drop.objects?.[0]) return nameList(drop.objects[0]).join(".");
  if ("TruncateStmt" in stmt)
    return nameOf(stmt.TruncateStmt.relations?.map((r) => "RangeVar" in r ? r.RangeVar : {})[0]);
  if ("LockStmt" in stmt && (stmt.LockStmt.mode ?? 8) === 8) {
    const first = stmt.LockStmt.relations?.[0];
    return first && "RangeVar" in first ? nameOf(first.RangeVar) : void 0;
  }
  return void 0;
}
function lockTimeoutSet(before) {
  let set = false;
  for (const s of before) {
    const v = variableSet(s.stmt);
    if (v?.name !== "lock_timeout") continue;
    if (v.kind === "VAR_SET_VALUE") {
      const arg = v.args?.[0];
      const value2 = arg && "A_Const" in arg ? arg.A_Const.sval?.sval ?? String(arg.A_Const.ival?.ival ?? 0) : "";
      set = value2.trim() !== "" && !/^0+(\s*[a-z]*)?$/i.test(value2.trim());
    } else set = false;
  }
  return set;
}
function qualifies(context, statement) {
  const table = accessExclusiveTarget(statement.stmt);
  if (!table || !existedBefore({ ...context, statement }, table)) return void 0;
  if (locksSeen(context) && observedLock(context, table)?.mode !== "AccessExclusiveLock") return void 0;
  return table;
}
var REQUIRE_TIMEOUT_SETTINGS = {
  id: "require-timeout-settings",
  squawk: "require-lock-timeout",
  what: "an ACCESS EXCLUSIVE lock on a table that existed before the migration, with no `lock_timeout` set earlier in the migration",
  why: "while the statement waits for its lock behind one long-running query, every later query on the table queues behind it: an outage although the migration itself is quick",
  fix: "`SET lock_timeout = '5s'` (or `SET LOCAL`) at the start of the migration, and retry the deploy when it times out",
  check(context) {
    const table = qualifies(context, context.statement);
    if (!table || lockTimeoutSet(context.before)) return [];
    if (context.before.some((s, i) => qualifies({ ...context, before: context.before.slice(0, i) }, s))) return [];
    const seen = locksSeen(context) ? " (observed)" : "";
    return [
      {
        relation: table,
        message: `This statement takes an ACCESS EXCLUSIVE lock on ${q(table)}${seen} with no lock_timeout set: waiting for it behind one long query, it makes every later query on ${q(table)} queue behind it, an outage although the migration itself is quick.`,
        fix: "SET lock_timeout = '5s' (or SET LOCAL, inside the migration's transaction) before it, at the start of the migration, and retry the deploy when it times out."
      }
    ];
  }
};

// src/lint/rules/index.ts
var RULE_BY_ID = {
  "adding-required-field": ADDING_REQUIRED_FIELD,
  "require-concurrent-index-creation": REQUIRE_CONCURRENT_INDEX_CREATION,
  "require-concurrent-index-deletion": REQUIRE_CONCURRENT_INDEX_DELETION,
  "ban-concurrent-index-creation-in-transaction": BAN_CONCURRENT_INDEX_CREATION_IN_TRANSACTION,
  "constraint-missing-not-valid": CONSTRAINT_MISSING_NOT_VALID,
  "adding-foreign-key-constraint": ADDING_FOREIGN_KEY_CONSTRAINT,
  "disallowed-unique-constraint": DISALLOWED_UNIQUE_CONSTRAINT,
  "changing-column-type": CHANGING_COLUMN_TYPE,
  "adding-field-with-default": ADDING_FIELD_WITH_DEFAULT,
  "renaming-column": RENAMING_COLUMN,
  "renaming-table": RENAMING_TABLE,
  "ban-drop-column": BAN_DROP_COLUMN,
  "ban-drop-table": BAN_DROP_TABLE,
  "require-timeout-settings": REQUIRE_TIMEOUT_SETTINGS,
  "observed-access-exclusive-lock": OBSERVED_ACCESS_EXCLUSIVE_LOCK
};
var RULES = Object.values(RULE_BY_ID);
var isRuleId = (id) => Object.hasOwn(RULE_BY_ID, id);

// src/lint/config.ts
function severityOf(config, id) {
  if (config.level === "off") return "off";
  const given = config.rules.get(id);
  if (given !== void 0) return given;
  if (RULE_BY_ID[id].usual === "notice") return "notice";
  return config.level === "error" ? "error" : "warning";
}
var SEVERITIES = ["error", "warning", "notice", "off"];
function parseLintRules(text) {
  const rules = /* @__PURE__ */ new Map();
  for (const item of text.split(/[\n,]/).map((s) => s.trim())) {
    if (!item || item.startsWith("#")) continue;
    const [id = "", severity = ""] = item.split("=", 2).map((s) => s.trim());
    if (!isRuleId(id)) {
      throw new GateError(
        `lint-rules: "${item}" names no rule (rules: ${RULES.map((r) => r.id).join(", ")})`,
        "lint-rules"
      );
    }
    if (!SEVERITIES.includes(severity)) {
      throw new GateError(
        `lint-rules: "${item}" needs RULE=SEVERITY, SEVERITY one of ${SEVERITIES.join(", ")}`,
        "lint-rules"
      );
    }
    rules.set(id, severity);
  }
  return rules;
}
function parseLintAllow(text) {
  const allow = /* @__PURE__ */ new Map();
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const m = /^(\S+)\s+([^\s:]+)\s*:\s*(.*)$/.exec(line);
    if (!m?.[1] || !m[2] || !m[3]?.trim()) {
      throw new GateError(
        `lint-allow: "${line}" needs a revision, a rule and a reason ("REVISION RULE: why it is accepted")`,
        "lint-allow"
      );
    }
    if (!isRuleId(m[2]))
      throw new GateError(`lint-allow: "${line}" names no rule: ${m[2]} is not a lint rule id`, "lint-allow");
    const rules = allow.get(m[1]) ?? /* @__PURE__ */ new Map();
    rules.set(m[2], m[3].trim());
    allow.set(m[1], rules);
  }
  return allow;
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
  {
    name: "working-directory",
    description: "The project directory holding the migrations. A monorepo: several, one per line, globs allowed (services/*, matching directories only); each project is judged on its own (its tool, config and findings) on one shared PostgreSQL server, and the reports hold one section per project.",
    default: "."
  },
  {
    name: "tool",
    description: "The migration tool. auto: Alembic/Flask-Migrate where an alembic.ini is found, else plain SQL migrations (golang-migrate or dbmate files) in the project, its migrations/ or db/migrations/. sql: golang-migrate or dbmate files, run natively (no Python, no Go). django: a Django project (manage.py, or django-settings); auto picks it where manage.py is found and neither of the others.",
    default: "auto",
    allowed: ["auto", "alembic", "sql", "django"]
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
    description: `The PostgreSQL major of production (${VERSION_VALUES.slice(0, -1).join(", ")}): the servers the gate starts are that major, and another is an error. Empty: ${DEFAULT_MAJOR}, the newest supported (a server you name, database-url, postgres-image or pg-bin, is then used whatever its major). any: whatever the provider finds (the newest local binaries, the installed embedded package). The report names the version used.`,
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
    description: "Python interpreter that can import alembic (Django: django and psycopg2) and the project. Empty: the first of the project's .venv/bin/python, venv/bin/python, python3, /usr/bin/python3 that can.",
    default: ""
  },
  {
    name: "django-settings",
    description: "Django: the settings module (e.g. shop.settings.production), read without running it for INSTALLED_APPS, MIGRATION_MODULES and AUTH_USER_MODEL. Empty: the DJANGO_SETTINGS_MODULE default manage.py sets. Setting it makes tool auto pick Django.",
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
    name: "lint",
    description: "The dangerous-operation rules (README: Dangerous operations), run on the statements each of the pull request's revisions (every revision where no base is known) sent during the replay and on the locks the server saw them take. warn: their findings are warnings, which do not fail the gate; error: errors; off: not run. Empty: warn.",
    default: ""
  },
  {
    name: "lint-rules",
    description: 'Per-rule severities overriding the lint level, one per line or comma separated: "RULE=SEVERITY", SEVERITY one of error, warning, notice, off (e.g. "require-concurrent-index-creation=error, renaming-column=off").',
    default: ""
  },
  {
    name: "lint-allow",
    description: 'Dangerous operations accepted, one per line: "REVISION RULE: reason" (the reason is required); the finding becomes a notice. A `migration-gate: allow RULE -- reason` comment on or above the statement does the same in the migration file.',
    default: ""
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
function isDirectory2(p) {
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
  if (isDirectory2(resolve2(path))) throw new GateError(`${name}: ${path} is a directory; give a file path`, name);
  if (!isWritableDir(dirname(resolve2(path)))) {
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
var LINT_LEVELS = ["off", "warn", "error"];
function lintLevel(given) {
  const fromEnv = (process.env.MIGRATION_GATE_LINT ?? "").trim();
  const v = given || fromEnv || "warn";
  if (LINT_LEVELS.includes(v)) return v;
  const named = given ? `"${v}"` : `MIGRATION_GATE_LINT="${v}"`;
  throw new GateError(`lint: unknown value ${named} (allowed: ${LINT_LEVELS.join(", ")})`, "lint");
}
function readConfig(get) {
  const optional = (name) => value(get, name) || void 0;
  const dirs = projectDirs(value(get, "working-directory"));
  const postgresVersion = versionChoice(value(get, "postgres-version"));
  const config = {
    projectDir: dirs[0],
    ...dirs.length > 1 ? { projectDirs: dirs } : {},
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
    liveDriftSeverity: value(get, "live-drift-severity"),
    lint: {
      level: lintLevel(value(get, "lint")),
      rules: parseLintRules(value(get, "lint-rules")),
      allow: parseLintAllow(value(get, "lint-allow"))
    }
  };
  const opt = {
    config: optional("config"),
    databaseUrl: optional("database-url"),
    pgBin: optional("pg-bin"),
    python: optional("python"),
    djangoSettings: optional("django-settings"),
    reportJson: optional("report-json"),
    sarif: optional("sarif"),
    baseRef: optional("base-ref"),
    liveDatabaseUrl: optional("live-database-url"),
    liveDatabaseUrlEnv: optional("live-database-url-env")
  };
  for (const [k, v] of Object.entries(opt)) if (v !== void 0) Object.assign(config, { [k]: v });
  if (config.python?.includes("/")) config.python = resolve2(config.python);
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
  EXIT_CODES,
  describeFailure,
  escapeRegExp,
  sameRelation,
  ADDING_REQUIRED_FIELD,
  REQUIRE_CONCURRENT_INDEX_CREATION,
  REQUIRE_CONCURRENT_INDEX_DELETION,
  BAN_CONCURRENT_INDEX_CREATION_IN_TRANSACTION,
  CONSTRAINT_MISSING_NOT_VALID,
  ADDING_FOREIGN_KEY_CONSTRAINT,
  DISALLOWED_UNIQUE_CONSTRAINT,
  CHANGING_COLUMN_TYPE,
  ADDING_FIELD_WITH_DEFAULT,
  RENAMING_COLUMN,
  RENAMING_TABLE,
  BAN_DROP_COLUMN,
  BAN_DROP_TABLE,
  REQUIRE_TIMEOUT_SETTINGS,
  OBSERVED_ACCESS_EXCLUSIVE_LOCK,
  RULES,
  isRuleId,
  severityOf,
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
  globMatcher,
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
