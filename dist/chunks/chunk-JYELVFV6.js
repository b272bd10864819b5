import { createRequire as __mgCreateRequire } from 'node:module';import { fileURLToPath as __mgFileURLToPath } from 'node:url';import { dirname as __mgDirname } from 'node:path';const require = __mgCreateRequire(import.meta.url);const __filename = __mgFileURLToPath(import.meta.url);const __dirname = __mgDirname(__filename);
import {
  GateError
} from "./chunk-LT4XZVPY.js";

// src/clip.ts
var MESSAGE_LIMIT = 600;
function clipMiddle(text, limit = MESSAGE_LIMIT) {
  if (text.length <= limit) return text;
  const chars = Array.from(text);
  if (chars.length <= limit) return text;
  const room = limit - ` ... [${chars.length} characters left out] ... `.length;
  const half = Math.max(1, Math.floor(room / 2));
  const marker = ` ... [${chars.length - 2 * half} characters left out] ... `;
  return `${chars.slice(0, half).join("").trimEnd()}${marker}${chars.slice(-half).join("").trimStart()}`;
}

// src/git/root.ts
import { existsSync } from "node:fs";
import path from "node:path";
function projectPathInRepository(projectDir) {
  const root = repositoryRoot(projectDir);
  return root === void 0 ? void 0 : path.relative(root, path.resolve(projectDir)).split(path.sep).join("/");
}
function repositoryRoot(projectDir) {
  let dir = path.resolve(projectDir);
  for (; ; ) {
    if (existsSync(path.join(dir, ".git"))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return void 0;
    dir = up;
  }
}

// src/drivers/sql/files.ts
import { readFileSync, statSync as statSync2 } from "node:fs";
import path3 from "node:path";

// src/drivers/sql/entries.ts
import { lstatSync, readdirSync, readlinkSync, statSync } from "node:fs";
import path2 from "node:path";
function listEntries(dir) {
  return readdirSync(dir, { withFileTypes: true }).map((e) => {
    if (e.isFile()) return { name: e.name };
    const notAFile = whatIsNotAFile(path2.join(dir, e.name));
    return notAFile ? { name: e.name, notAFile } : { name: e.name };
  }).sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}
function whatIsNotAFile(p) {
  let entry;
  try {
    entry = lstatSync(p);
  } catch (error) {
    return { what: `an entry that vanished (${code(error)})`, effect: "fails" };
  }
  if (entry.isFile()) return void 0;
  if (!entry.isSymbolicLink())
    return { what: kind(entry), effect: entry.isDirectory() ? "skipped" : blocksOrFails(entry) };
  let target;
  try {
    target = statSync(p);
  } catch (error) {
    const why = code(error);
    if (why === "ELOOP") return { what: "a symlink loop", effect: "fails" };
    if (why === "ENOENT" || why === "ENOTDIR")
      return { what: `a dangling symlink (to ${linkTarget(p)})`, effect: "fails" };
    return { what: `a symlink that cannot be followed (${why})`, effect: "fails" };
  }
  if (target.isFile()) return void 0;
  return { what: `a symlink to ${kind(target)}`, effect: blocksOrFails(target) };
}
function kind(s) {
  if (s.isDirectory()) return "a directory";
  if (s.isFIFO()) return "a named pipe";
  if (s.isSocket()) return "a socket";
  if (s.isCharacterDevice() || s.isBlockDevice()) return "a device file";
  return "a special file";
}
function blocksOrFails(s) {
  return s.isFIFO() || s.isCharacterDevice() ? "blocks" : "fails";
}
function linkTarget(p) {
  try {
    return clipMiddle(readlinkSync(p), 200);
  } catch {
    return "nowhere";
  }
}
function code(error) {
  return error.code ?? "error";
}
function notAFileReason(tool, entry) {
  const effect = {
    skipped: `it skips a directory without a word, so this migration never runs`,
    blocks: `opening it waits for a writer that never comes, so ${tool} hangs there`,
    fails: `${tool} stops with an error when it reaches it`
  }[entry.effect];
  return {
    reason: `it is ${entry.what}, not a file, so ${tool} cannot read it (${effect})`,
    fix: "put the migration's SQL in a regular file of this name, or remove it"
  };
}

// src/drivers/sql/files.ts
var GOLANG_MIGRATE_FILE = /^([0-9]+)_(.*)\.(down|up)\.(.*)$/;
var DBMATE_FILE = /^(\d+).*\.sql$/;
var SQL_DIR_CANDIDATES = [".", "migrations", "db/migrations"];
function listFiles(dir) {
  return listEntries(dir).filter((e) => !e.notAFile).map((e) => e.name);
}
function formatOf(names) {
  if (names.some((n) => GOLANG_MIGRATE_FILE.test(n) && n.endsWith(".sql"))) return "golang-migrate";
  if (names.some((n) => DBMATE_FILE.test(n))) return "dbmate";
  return void 0;
}
function findSqlDirectory(projectDir, configured) {
  const candidates = configured ? [configured] : SQL_DIR_CANDIDATES;
  for (const candidate of candidates) {
    const dir = path3.resolve(projectDir, candidate);
    if (!isDirectory(dir)) continue;
    const format = formatOf(listFiles(dir));
    if (format) return { dir, format };
  }
  return void 0;
}
function readText(abs) {
  let bytes;
  try {
    bytes = readFileSync(abs);
  } catch (error) {
    return { problem: `cannot be read (${error.code ?? "error"})` };
  }
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
  } catch {
    return { problem: `is not valid UTF-8 (at byte ${firstInvalidByte(bytes)})` };
  }
}
function firstInvalidByte(bytes) {
  let lo = 0;
  let hi = bytes.length;
  const valid = (n) => {
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, n), { stream: true });
      return true;
    } catch {
      return false;
    }
  };
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (valid(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
function relativeFile(projectDir, abs) {
  const rel = path3.relative(projectDir, abs);
  return path3.sep === "/" ? rel : rel.split(path3.sep).join("/");
}
function isDirectory(p) {
  try {
    return statSync2(p).isDirectory();
  } catch {
    return false;
  }
}

// src/drivers/projects-below.ts
import { readdirSync as readdirSync2 } from "node:fs";
import path4 from "node:path";
var SKIP = /* @__PURE__ */ new Set(["node_modules", ".git", ".venv", "venv", "__pycache__", "site-packages", "dist", "build", ".tox"]);
var MAX_DEPTH = 4;
var MAX_DIRS = 3e3;
function projectsBelow(root, limit = 5) {
  const found = [];
  const queue = [{ dir: root, depth: 0 }];
  let seen = 0;
  while (queue.length > 0 && found.length < limit && seen < MAX_DIRS) {
    const { dir, depth } = queue.shift();
    seen++;
    let entries;
    try {
      entries = readdirSync2(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    const rel = path4.relative(root, dir).split(path4.sep).join("/");
    const names = entries.filter((e) => e.isFile()).map((e) => e.name);
    if (rel !== "" && names.includes("alembic.ini")) {
      const project = path4.posix.basename(rel) === "migrations" ? path4.posix.dirname(rel) : rel;
      found.push({ workingDirectory: project === "" ? "." : project, found: `${rel}/alembic.ini` });
    } else if (rel !== "" && names.includes("manage.py")) {
      found.push({ workingDirectory: rel, found: `${rel}/manage.py` });
      continue;
    } else if (rel !== "") {
      const format = formatOf(names);
      if (format && names.some((n) => n.endsWith(".sql"))) {
        found.push({ workingDirectory: rel, found: `${rel} (${format})` });
        continue;
      }
    }
    if (depth >= MAX_DEPTH) continue;
    for (const e of entries) {
      if (e.isDirectory() && !SKIP.has(e.name) && !e.name.startsWith("."))
        queue.push({ dir: path4.join(dir, e.name), depth: depth + 1 });
    }
  }
  return found.filter((p) => p.workingDirectory !== ".");
}
function projectsBelowHint(root) {
  const below = projectsBelow(root);
  if (below.length === 0) return "";
  return `; below it: ${below.map((p) => `${p.found} (working-directory: ${p.workingDirectory})`).join(", ")}`;
}

// src/drivers/alembic/pyproject.ts
function readToolAlembic(text) {
  return readTomlTable(text, "tool.alembic");
}
function readTomlTable(text, name) {
  const header = new RegExp(`^\\[\\s*${name.split(".").join("\\s*\\.\\s*")}\\s*\\]$`);
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  let inTable = false;
  let found = false;
  const values = /* @__PURE__ */ new Map();
  for (let i = 0; i < lines.length; i++) {
    const line = stripComment(lines[i]).trim();
    if (line.startsWith("[")) {
      inTable = header.test(line);
      found ||= inTable;
      continue;
    }
    if (!inTable || line === "") continue;
    const m = /^([A-Za-z0-9_-]+|"[^"]*")\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    const key = m[1].replace(/^"|"$/g, "");
    let rest = m[2];
    while (rest.startsWith("[") && !balanced(rest) && i + 1 < lines.length)
      rest += "\n" + stripComment(lines[++i]);
    const value = parseValue(rest.trim());
    if (value !== void 0) values.set(key, value);
  }
  return found ? values : void 0;
}
function tomlInterpolate(value, args) {
  return value.replace(
    /%\(([^)]+)\)s|%%/g,
    (all, name) => name === void 0 ? "%" : args[name] ?? all
  );
}
function parseValue(text) {
  if (text === "true" || text === "false") return text === "true";
  const s = parseString(text);
  if (s !== void 0 && s.rest.trim() === "") return s.value;
  if (text.startsWith("[")) {
    const items = [];
    let rest = text.slice(1).trim();
    for (; ; ) {
      if (rest.startsWith("]")) return items;
      const item = parseString(rest);
      if (!item) return void 0;
      items.push(item.value);
      rest = item.rest.trim();
      if (rest.startsWith(",")) rest = rest.slice(1).trim();
      else if (!rest.startsWith("]")) return void 0;
    }
  }
  return void 0;
}
function parseString(text) {
  if (text.startsWith("'")) {
    const end = text.indexOf("'", 1);
    return end < 0 ? void 0 : { value: text.slice(1, end), rest: text.slice(end + 1) };
  }
  if (!text.startsWith('"')) return void 0;
  let value = "";
  for (let i = 1; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') return { value, rest: text.slice(i + 1) };
    if (ch === "\\") {
      const next = text[++i];
      const escapes = { n: "\n", t: "	", "\\": "\\", '"': '"', r: "\r" };
      value += next !== void 0 ? escapes[next] ?? next : "";
    } else value += ch;
  }
  return void 0;
}
function stripComment(line) {
  let quote = "";
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === "\\" && quote === '"') i++;
      else if (ch === quote) quote = "";
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === "#") return line.slice(0, i);
  }
  return line;
}
function balanced(text) {
  let depth = 0;
  let quote = "";
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = "";
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === "[") depth++;
    else if (ch === "]") depth--;
  }
  return depth <= 0;
}

// src/drivers/alembic/config.ts
import { existsSync as existsSync2, lstatSync as lstatSync2, readFileSync as readFileSync2, realpathSync, statSync as statSync3 } from "node:fs";
import path5 from "node:path";

// src/drivers/alembic/ini.ts
var IniError = class extends Error {
  line;
  constructor(message, line) {
    super(message);
    this.name = "IniError";
    this.line = line;
  }
};
var SECTION = /^\[(.+)\]/;
var OPTION = /^(.*?)\s*([=:])\s*(.*)$/;
function parseIni(text, defaults = {}) {
  const rawDefaults = /* @__PURE__ */ new Map();
  const rawSections = /* @__PURE__ */ new Map();
  let current;
  let currentName = "";
  let option;
  let indentLevel = 0;
  text.replace(/\r\n?/g, "\n").split("\n").forEach((raw, index) => {
    const lineNo = index + 1;
    const stripped = raw.trim();
    const comment = stripped.startsWith("#") || stripped.startsWith(";");
    if (comment || stripped === "") {
      if (!comment && current && option !== void 0) current.get(option)?.push("");
      return;
    }
    const indent = raw.length - raw.trimStart().length;
    if (current && option !== void 0 && indent > indentLevel) {
      current.get(option)?.push(stripped);
      return;
    }
    indentLevel = indent;
    const header = SECTION.exec(stripped);
    if (header) {
      currentName = header[1];
      option = void 0;
      if (currentName === "DEFAULT") {
        current = rawDefaults;
      } else {
        if (rawSections.has(currentName)) throw new IniError(`section [${currentName}] appears twice`, lineNo);
        current = /* @__PURE__ */ new Map();
        rawSections.set(currentName, current);
      }
      return;
    }
    if (!current) throw new IniError("text before the first [section] header", lineNo);
    const m = OPTION.exec(stripped);
    const key = m?.[1]?.trimEnd().toLowerCase();
    if (!m || !key) throw new IniError(`cannot read "${stripped.slice(0, 60)}" (expected key = value)`, lineNo);
    if (current.has(key)) throw new IniError(`option '${key}' appears twice in [${currentName}]`, lineNo);
    current.set(key, [m[3].trim()]);
    option = key;
  });
  const joined = (values) => new Map([...values].map(([k, v]) => [k, v.join("\n").trimEnd()]));
  return {
    defaults: new Map([...Object.entries(defaults), ...joined(rawDefaults)]),
    sections: new Map([...rawSections].map(([name, values]) => [name, joined(values)]))
  };
}
function iniGet(ini, section, key) {
  const values = ini.sections.get(section);
  const raw = values?.get(key) ?? ini.defaults.get(key);
  if (raw === void 0) return void 0;
  const lookup = (name) => values?.get(name) ?? ini.defaults.get(name);
  return interpolate(raw, lookup, key, 1);
}
var MAX_DEPTH2 = 10;
function interpolate(raw, lookup, key, depth) {
  if (depth > MAX_DEPTH2) throw new IniError(`option '${key}': interpolation nested too deeply (a %(...)s loop?)`);
  let out = "";
  let rest = raw;
  for (; ; ) {
    const p = rest.indexOf("%");
    if (p < 0) return out + rest;
    out += rest.slice(0, p);
    rest = rest.slice(p);
    if (rest[1] === "%") {
      out += "%";
      rest = rest.slice(2);
      continue;
    }
    const m = /^%\(([^)]+)\)s/.exec(rest);
    if (!m) throw new IniError(`option '${key}': '%' must be followed by '%' or '(' (write %% for a literal %)`);
    const name = m[1].toLowerCase();
    const v = lookup(name);
    if (v === void 0) throw new IniError(`option '${key}' refers to %(${name})s, which is not set`);
    out += v.includes("%") ? interpolate(v, lookup, key, depth + 1) : v;
    rest = rest.slice(m[0].length);
  }
}

// src/drivers/alembic/config.ts
var SEPARATORS = { space: " ", newline: "\n", os: path5.delimiter, ":": ":", ";": ";" };
function readAlembicConfig(projectDir, configPath) {
  const project = path5.resolve(projectDir);
  if (!isDir(project)) throw new GateError(`working-directory: ${projectDir} is not a directory`, "working-directory");
  const input = configPath ? "config" : "working-directory";
  const fail = (message) => {
    throw new GateError(`${input}: ${message}`, input);
  };
  const iniPath = findIni(project, configPath);
  const shown = path5.relative(project, iniPath) || iniPath;
  const iniDir = path5.dirname(iniPath);
  let ini;
  try {
    ini = parseIni(readFileSync2(iniPath, "utf8"), { here: iniDir });
  } catch (error) {
    if (error instanceof IniError) fail(`${shown}${error.line ? ` line ${error.line}` : ""}: ${error.message}`);
    return fail(`cannot read ${shown}: ${error.code ?? String(error)}`);
  }
  const get = (key) => {
    try {
      return iniGet(ini, "alembic", key);
    } catch (error) {
      if (error instanceof IniError) fail(`${shown} [alembic]: ${error.message}`);
      throw error;
    }
  };
  const tomlPath = path5.join(project, "pyproject.toml");
  const toml = existsSync2(tomlPath) ? readToolAlembic(readFileSync2(tomlPath, "utf8")) : void 0;
  let usedToml = false;
  const fromToml = (key) => {
    const v = toml?.get(key);
    if (v === void 0) return void 0;
    usedToml = true;
    const args = { here: project };
    return typeof v === "string" ? tomlInterpolate(v, args) : Array.isArray(v) ? v.map((s) => tomlInterpolate(s, args)) : v;
  };
  const tomlString = (key) => {
    const v = fromToml(key);
    return typeof v === "string" ? v : void 0;
  };
  const config = {
    projectDir: project,
    iniPath,
    scriptLocation: "",
    versionDirs: [],
    recursiveVersionLocations: false,
    hasSqlalchemyUrl: Boolean(ini.sections.get("alembic")?.get("sqlalchemy.url")),
    flaskMigrate: false
  };
  const scriptLocation = get("script_location") ?? tomlString("script_location");
  if (scriptLocation === void 0 || scriptLocation === "") {
    if (!existsSync2(path5.join(iniDir, "env.py"))) {
      fail(
        `${shown} has no script_location in [alembic] (nor pyproject.toml [tool.alembic]), and no env.py beside it as Flask-Migrate keeps`
      );
    }
    config.flaskMigrate = true;
    config.scriptLocation = iniDir;
    config.scriptLocationOverride = iniDir;
  } else {
    const resolved = resolveLocation(scriptLocation, project, iniDir);
    if (!isDir(resolved.path))
      fail(`script_location ${scriptLocation} in ${shown}: directory ${resolved.path} does not exist`);
    config.scriptLocation = resolved.path;
    if (resolved.fromIniDir) config.scriptLocationOverride = resolved.path;
  }
  const configured = versionLocations(get, fromToml, fail);
  const script = config.scriptLocation;
  if (!configured && !lexists(path5.join(script, "env.py")) && !lexists(path5.join(script, "versions"))) {
    fail(
      `script_location ${scriptLocation ?? script} in ${shown}: ${script} holds neither env.py nor versions/, so it is not the Alembic script directory (alembic init makes one)`
    );
  }
  const locations = configured ?? [path5.join(config.scriptLocation, "versions")];
  const seen = /* @__PURE__ */ new Set();
  for (const location of locations) {
    const dir = resolveLocation(location, project, iniDir).path;
    if (!isDir(dir)) {
      const present = lexists(dir);
      if (!configured && !present) continue;
      const where = configured ? `version_locations in ${usedToml && !get("version_locations") ? "pyproject.toml [tool.alembic]" : shown}:` : `the versions directory of script_location in ${shown},`;
      const what = present ? "is not a directory (a file, or a symlink that leads nowhere or in a loop)" : "does not exist";
      fail(
        `${where} ${dir} ${what}, so Alembic cannot read revisions from it. Create it (git keeps no empty directory: add a .gitkeep) or fix the setting`
      );
    }
    const real = realpathSync(dir);
    if (seen.has(real)) continue;
    seen.add(real);
    config.versionDirs.push(dir);
  }
  const recursive = get("recursive_version_locations");
  config.recursiveVersionLocations = recursive !== void 0 ? recursive === "true" : fromToml("recursive_version_locations") === true;
  if (usedToml) config.pyprojectPath = tomlPath;
  return config;
}
function findIni(project, configPath) {
  if (configPath) {
    const p = path5.resolve(project, configPath);
    if (!existsSync2(p)) throw new GateError(`config: ${configPath} does not exist (looked at ${p})`, "config");
    if (isDir(p)) throw new GateError(`config: ${configPath} is a directory; give the alembic.ini file`, "config");
    return p;
  }
  const candidates = [path5.join(project, "alembic.ini"), path5.join(project, "migrations", "alembic.ini")];
  const found = candidates.find((p) => existsSync2(p));
  if (!found) {
    throw new GateError(
      `working-directory: no alembic.ini in ${project} or its migrations/ directory${projectsBelowHint(project) || "; set config to the alembic.ini path"}`,
      "working-directory"
    );
  }
  return found;
}
function versionLocations(get, fromToml, fail) {
  const raw = get("version_locations");
  if (!raw) {
    const list = fromToml("version_locations");
    return Array.isArray(list) ? list : void 0;
  }
  const name = get("path_separator") !== void 0 ? "path_separator" : "version_path_separator";
  const setting = get(name);
  if (setting === void 0) {
    return raw.split(/, *| +/).filter(Boolean);
  }
  const sep = SEPARATORS[setting];
  if (sep === void 0) {
    const hint = setting.includes("#") ? ' (an .ini value keeps a trailing "# comment" as part of the value: move the comment to its own line)' : "";
    return fail(`${name} = ${setting} is not one of space, newline, os, :, ; and Alembic refuses it${hint}`);
  }
  return raw.split(sep).map((s) => s.trim()).filter(Boolean);
}
function resolveLocation(location, project, iniDir) {
  if (!path5.isAbsolute(location) && location.includes(":")) {
    const [pkg = "", ...resource] = location.split(":");
    const rel = path5.join(...pkg.split("."), ...resource);
    const candidates = [path5.join(project, rel), path5.join(project, "src", rel)];
    return { path: candidates.find(isDir) ?? candidates[0], fromIniDir: false };
  }
  if (path5.isAbsolute(location)) return { path: path5.normalize(location), fromIniDir: false };
  const fromProject = path5.resolve(project, location);
  if (isDir(fromProject) || iniDir === project) return { path: fromProject, fromIniDir: false };
  const fromIni = path5.resolve(iniDir, location);
  return isDir(fromIni) ? { path: fromIni, fromIniDir: true } : { path: fromProject, fromIniDir: false };
}
function isDir(p) {
  try {
    return statSync3(p).isDirectory();
  } catch {
    return false;
  }
}
function lexists(p) {
  try {
    lstatSync2(p);
    return true;
  } catch {
    return false;
  }
}

// src/drivers/detect-tool.ts
import { existsSync as existsSync3 } from "node:fs";
import { join, resolve } from "node:path";
function detectTool(projectDir, config, otherwise = "; set config or tool", djangoSettings) {
  const at = (f) => existsSync3(join(projectDir, f));
  if (config !== void 0) return isDirectory(resolve(projectDir, config)) ? "sql" : "alembic";
  if (djangoSettings) return "django";
  if (["alembic.ini", "migrations/alembic.ini"].some(at)) return "alembic";
  if (findSqlDirectory(projectDir)) return "sql";
  if (at("manage.py")) return "django";
  if (at("pyproject.toml")) return "alembic";
  const dirs = SQL_DIR_CANDIDATES.map((d) => d === "." ? "itself" : `${d}/`).join(", ");
  throw new GateError(
    `working-directory: no migration project found in ${projectDir} (looked for alembic.ini and migrations/alembic.ini, for golang-migrate or dbmate files in ${dirs}, and for Django's manage.py)${projectsBelowHint(projectDir) || otherwise}`,
    "working-directory"
  );
}

export {
  clipMiddle,
  projectPathInRepository,
  repositoryRoot,
  listEntries,
  notAFileReason,
  GOLANG_MIGRATE_FILE,
  DBMATE_FILE,
  SQL_DIR_CANDIDATES,
  findSqlDirectory,
  readText,
  relativeFile,
  projectsBelow,
  readTomlTable,
  readAlembicConfig,
  detectTool
};
