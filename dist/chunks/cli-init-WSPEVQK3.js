import { createRequire as __mgCreateRequire } from 'node:module';import { fileURLToPath as __mgFileURLToPath } from 'node:url';import { dirname as __mgDirname } from 'node:path';const require = __mgCreateRequire(import.meta.url);const __filename = __mgFileURLToPath(import.meta.url);const __dirname = __mgDirname(__filename);
import {
  detectTool,
  findSqlDirectory,
  projectsBelow,
  readAlembicConfig,
  readTomlTable,
  repositoryRoot
} from "./chunk-JYELVFV6.js";
import {
  DEFAULT_MAJOR,
  GateError,
  SUPPORTED_MAJORS,
  requireDirectory
} from "./chunk-LT4XZVPY.js";
import "./chunk-NNRNKADP.js";

// src/init/init.ts
import { execFileSync } from "node:child_process";
import { existsSync as existsSync5, mkdirSync, writeFileSync } from "node:fs";
import path6 from "node:path";

// src/init/project.ts
import { existsSync } from "node:fs";
import path from "node:path";
function findProject(dir) {
  requireDirectory(dir, "working-directory");
  const abs = path.resolve(dir);
  try {
    return projectIn(abs);
  } catch (error) {
    const ini = ["alembic.ini", "migrations/alembic.ini"].some((f) => existsSync(path.join(abs, f)));
    if (!(error instanceof GateError) || ini) throw error;
    const below = projectsBelow(abs);
    if (below.length !== 1) throw error;
    const one = below[0];
    return { ...projectIn(path.join(abs, one.workingDirectory)), below: true };
  }
}
function projectIn(dir) {
  const tool = detectTool(dir, void 0, "; give init the directory of alembic.ini or of the SQL migrations");
  if (tool === "django")
    throw new GateError(
      `working-directory: ${dir} is a Django project, which init does not write workflows for yet; see the README's Django section`,
      "working-directory"
    );
  if (tool === "sql") {
    const location = findSqlDirectory(dir);
    if (!location) throw new GateError(`working-directory: no SQL migrations in ${dir}`, "working-directory");
    return { dir, tool, kind: location.format, evidence: path.relative(dir, location.dir) || "." };
  }
  const config = readAlembicConfig(dir);
  return {
    dir,
    tool,
    kind: config.flaskMigrate ? "Flask-Migrate" : "Alembic",
    evidence: path.relative(dir, config.iniPath)
  };
}

// src/init/postgres-major.ts
import { existsSync as existsSync2, readFileSync } from "node:fs";
import path2 from "node:path";
var COMPOSE_FILES = ["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"];
var DERIVED = /* @__PURE__ */ new Set(["postgis/postgis", "timescale/timescaledb", "pgvector/pgvector"]);
function postgresInputs(found) {
  const supported = SUPPORTED_MAJORS.includes(Number(found.major)) && /^\d+$/.test(found.major);
  if (!supported) return { image: found.postgresImage };
  return { version: found.major, ...found.kept ? { image: found.postgresImage } : {} };
}
function postgresFromCompose(dirs, root) {
  const without = [];
  for (const dir of dirs) {
    for (const name of COMPOSE_FILES) {
      const file = path2.join(dir, name);
      if (!existsSync2(file)) continue;
      const rel = path2.relative(root, file).split(path2.sep).join("/");
      const found = postgresImageIn(readFileSync(file, "utf8"));
      if (found) return { found: { ...found, file: rel }, without };
      without.push(rel);
    }
  }
  return { without };
}
function postgresImageIn(text) {
  for (const m of text.matchAll(/^\s*-?\s*image:\s*["']?([^\s"'#]+)/gm)) {
    const image = m[1].replace(/\$\{[A-Za-z_][A-Za-z0-9_]*:?-([^}]*)\}/g, "$1");
    const found = majorOf(image);
    if (found) return { image: m[1], ...found };
  }
  return void 0;
}
function majorOf(image) {
  const at = image.indexOf("@");
  const ref = at === -1 ? image : image.slice(0, at);
  const colon = ref.lastIndexOf(":");
  if (colon === -1 || ref.slice(colon).includes("/")) return void 0;
  const repo = ref.slice(0, colon);
  const tag = ref.slice(colon + 1);
  const name = repo.replace(/^(docker\.io\/|index\.docker\.io\/)/, "").replace(/^library\//, "");
  const last = name.split("/").at(-1);
  let major;
  if (last === "postgres" || last === "postgresql" || name === "postgis/postgis") major = leadingMajor(tag);
  else if (last === "timescaledb" || last === "timescaledb-ha" || last === "pgvector") {
    major = /(?:^|-)pg(\d+)/.exec(tag)?.[1];
  }
  if (!major) return void 0;
  const kept = DERIVED.has(name);
  return { major, postgresImage: kept ? image : `postgres:${major}-alpine`, kept };
}
function leadingMajor(tag) {
  const m = /^(\d+)(?:\.(\d+))?/.exec(tag);
  if (!m) return void 0;
  return Number(m[1]) < 10 && m[2] !== void 0 ? `${m[1]}.${m[2]}` : m[1];
}

// src/init/python-install.ts
import { existsSync as existsSync3, readdirSync, readFileSync as readFileSync2, statSync } from "node:fs";
import path3 from "node:path";
var NOT_MAIN = /(^|[-_./])(dev|devel|develop|test|tests|testing|lint|docs?|ci|local|typing|mypy)([-_.]|$)/i;
var MAIN_NAMES = ["base", "main", "prod", "production", "common", "app", "runtime"];
function pythonInstall(dirs, root) {
  for (const dir of dirs) {
    const rel = path3.relative(root, dir).split(path3.sep).join("/") || ".";
    const at = (f) => existsSync3(path3.join(dir, f));
    if (at("uv.lock")) return { kind: "uv", dir: rel, file: "uv.lock", skipped: [] };
    if (at("poetry.lock")) return { kind: "poetry", dir: rel, file: "poetry.lock", skipped: [] };
    const requirements = requirementsFiles(dir);
    const main = mainRequirements(requirements);
    if (main) return { kind: "requirements", dir: rel, file: main, skipped: requirements.filter((f) => f !== main) };
    if (installable(path3.join(dir, "pyproject.toml")))
      return { kind: "pyproject", dir: rel, file: "pyproject.toml", skipped: [] };
  }
  return { kind: "minimal", dir: ".", skipped: [] };
}
function requirementsFiles(dir) {
  const txt = (d) => {
    try {
      return readdirSync(d).filter((f) => f.endsWith(".txt") && statSync(path3.join(d, f)).isFile()).sort();
    } catch {
      return [];
    }
  };
  const here = txt(dir).filter((f) => f.startsWith("requirements"));
  const nested = txt(path3.join(dir, "requirements")).map((f) => `requirements/${f}`);
  return [...here, ...nested];
}
function mainRequirements(files) {
  if (files.includes("requirements.txt")) return "requirements.txt";
  const candidates = files.filter((f) => !NOT_MAIN.test(f.replace(/^requirements\/?/, "").replace(/\.txt$/, "")));
  const stem = (f) => path3.posix.basename(f, ".txt").replace(/^requirements[-_]?/, "");
  for (const name of MAIN_NAMES) {
    const hit = candidates.find((f) => stem(f) === name);
    if (hit) return hit;
  }
  return candidates[0];
}
function installable(file) {
  if (!existsSync3(file)) return false;
  const text = readFileSync2(file, "utf8");
  return readTomlTable(text, "project") !== void 0 || readTomlTable(text, "build-system") !== void 0;
}

// src/init/python-version.ts
import { existsSync as existsSync4, readFileSync as readFileSync3 } from "node:fs";
import path4 from "node:path";
var DEFAULT_PYTHON = "3.12";
var MINORS = [8, 9, 10, 11, 12, 13, 14];
function pythonVersion(dirs, root) {
  for (const dir of dirs) {
    const found = pinIn(dir, path4.relative(root, dir));
    if (found) return found;
  }
  return {
    version: DEFAULT_PYTHON,
    source: "the default: no .python-version, requires-python or runtime.txt names one"
  };
}
function pinIn(dir, rel) {
  const shown = (file) => rel ? `${rel}/${file}` : file;
  const read = (file) => {
    const p = path4.join(dir, file);
    return existsSync4(p) ? readFileSync3(p, "utf8") : void 0;
  };
  const pinned = read(".python-version")?.split("\n").map((l) => l.trim()).find((l) => l && !l.startsWith("#"));
  const exact = pinned && /^(\d+)\.(\d+)/.exec(pinned);
  if (exact) return { version: `${exact[1]}.${exact[2]}`, source: `from ${shown(".python-version")} (${pinned})` };
  const pyproject = read("pyproject.toml");
  if (pyproject !== void 0) {
    const requires = readTomlTable(pyproject, "project")?.get("requires-python");
    const poetry = readTomlTable(pyproject, "tool.poetry.dependencies")?.get("python");
    const [spec, what] = typeof requires === "string" ? [requires, "requires-python"] : [poetry, "python"];
    if (typeof spec === "string") {
      const version = versionFor(spec);
      if (version) return { version, source: `from ${shown("pyproject.toml")} ${what} "${spec}"` };
    }
  }
  const runtime = read("runtime.txt")?.trim();
  const heroku = runtime && /^python-(\d+)\.(\d+)/.exec(runtime);
  if (heroku) return { version: `${heroku[1]}.${heroku[2]}`, source: `from ${shown("runtime.txt")} (${runtime})` };
  return void 0;
}
function versionFor(spec) {
  const tests = [];
  for (const clause of spec.split(",").map((c) => c.trim())) {
    if (clause === "" || clause === "*") continue;
    const m = /^(>=|<=|==|!=|~=|>|<|\^|~|=)?\s*(\d+)(?:\.(\d+|\*))?(?:\.(\d+|\*))?$/.exec(clause);
    if (!m) return void 0;
    tests.push(clauseTest(m[1] ?? "==", Number(m[2]), m[3], m[4]));
  }
  const allowed = MINORS.filter((n) => tests.every((t) => t(n)));
  if (allowed.length === 0) return void 0;
  const preferred = Number(DEFAULT_PYTHON.split(".")[1]);
  const nearest = allowed.reduce((a, b) => Math.abs(b - preferred) < Math.abs(a - preferred) ? b : a);
  return `3.${nearest}`;
}
function clauseTest(op, major, minor, patch) {
  const wildcard = minor === void 0 || minor === "*";
  const v = wildcard ? 0 : Number(minor);
  const cmp = (n) => major !== 3 ? Math.sign(3 - major) : Math.sign(n - v);
  const samePrefix = (n) => major === 3 && (wildcard || n === v);
  const hasPatch = patch !== void 0 && patch !== "*" && Number(patch) > 0;
  switch (op) {
    case ">=":
    case ">":
      return (n) => cmp(n) >= 0;
    case "<=":
      return (n) => cmp(n) <= 0;
    case "<":
      return (n) => cmp(n) < 0 || hasPatch && cmp(n) === 0;
    case "!=":
      return (n) => !(samePrefix(n) && (patch === void 0 || patch === "*"));
    case "~=":
      return patch === void 0 ? (n) => major === 3 && cmp(n) >= 0 : samePrefix;
    case "^":
      return (n) => major === 3 && cmp(n) >= 0;
    case "~":
      return samePrefix;
    default:
      return samePrefix;
  }
}

// src/init/search-dirs.ts
import path5 from "node:path";
function dirsUpToRoot(projectDir, root) {
  const dirs = [path5.resolve(projectDir)];
  if (root === void 0) return dirs;
  const top = path5.resolve(root);
  let dir = dirs[0];
  while (dir !== top) {
    const up = path5.dirname(dir);
    if (up === dir || path5.relative(top, up).startsWith("..")) break;
    dirs.push(up);
    dir = up;
  }
  return dirs;
}

// src/init/workflow.ts
function minimalPackages(project) {
  const flask = project.kind === "Flask-Migrate" ? "flask flask-migrate " : "";
  return `${flask}alembic sqlalchemy psycopg2-binary`;
}
function renderWorkflow(plan) {
  const pr = plan.push ? "${{ github.event.pull_request.number || github.ref }}" : "${{ github.event.pull_request.number }}";
  const lines = [
    "# Written by `migration-gate init`: the gate as a required status check on every pull request.",
    "# What it found (edit below where it guessed wrong):",
    ...plan.assumptions.map((a) => `#   ${a}`),
    "#",
    '# After the first run, make "migration-gate" required: Settings -> Branches (or Rulesets) -> Require',
    '# status checks to pass -> add "migration-gate". No `paths:` filter on purpose: a required check whose',
    '# workflow is skipped stays "expected" forever and blocks pull requests that touch no migration.',
    "name: migrations",
    "on:",
    "  pull_request:",
    ...plan.push ? [
      "  push: # the git checks are off on a push (no base to compare with); the replay runs",
      `    branches: [${yamlScalar(plan.push)}]`
    ] : [],
    "# `pull_request`, never `pull_request_target`: the gate imports env.py and runs every migration of the",
    "# pull request. Under pull_request_target that code would run with this repository's secrets and a",
    "# write token; under pull_request, a fork's code gets a read-only token and no secrets.",
    "permissions:",
    "  contents: read # check out the code",
    "  pull-requests: write # only for `comment: true` (the sticky PR comment); drop both if you turn it off",
    "concurrency:",
    `  group: migration-gate-${pr}`,
    "  cancel-in-progress: true # a cancelled run's post step still removes its database",
    "jobs:",
    "  migration-gate:",
    "    runs-on: ubuntu-latest",
    "    timeout-minutes: 20",
    "    steps:",
    "      - uses: actions/checkout@v4",
    "        with:",
    "          fetch-depth: 0 # the git checks compare with the base branch",
    ...plan.python ? pythonSteps(plan.project, plan.python) : [],
    "      - uses: migration-gate/migration-gate@v0",
    "        with:",
    `          working-directory: ${yamlScalar(plan.workingDirectory)} # ${whereComment(plan.project)}`,
    `          tool: ${plan.project.tool}`,
    ...plan.python ? ["          python: python"] : [],
    ...postgresLines(plan.postgres),
    "          comment: true # a fork's read-only token makes this a warning, never a failure"
  ];
  return `${lines.join("\n")}
`;
}
function whereComment(project) {
  if (project.tool === "sql")
    return `its migrations: ${project.evidence === "." ? "this directory" : `${project.evidence}/`}`;
  return project.kind === "Flask-Migrate" ? "the Flask app, with migrations/ in it" : `where ${project.evidence} is`;
}
function pythonSteps(project, python) {
  const { install } = python;
  const inDir = install.dir === "." ? [] : [`        working-directory: ${yamlScalar(install.dir)}`];
  const steps = [
    "      - uses: actions/setup-python@v5",
    "        with:",
    `          python-version: '${python.version.version}' # ${python.version.source}`
  ];
  switch (install.kind) {
    case "uv":
      return [
        ...steps,
        "      - uses: astral-sh/setup-uv@v7",
        "      - run: | # the locked dependencies, in .venv; its python first on PATH for `python: python` below",
        "          uv sync --locked",
        '          echo "$PWD/.venv/bin" >> "$GITHUB_PATH"',
        ...inDir
      ];
    case "poetry":
      return [
        ...steps,
        "      - run: pipx install poetry",
        // --no-root: the migrations need the dependencies; env.py imports the app from the checkout.
        "      - run: | # the locked dependencies; their environment first on PATH for `python: python` below",
        "          poetry env use python",
        "          poetry install --no-interaction --no-root",
        '          echo "$(poetry env info --path)/bin" >> "$GITHUB_PATH"',
        ...inDir
      ];
    case "requirements":
      return [
        ...steps,
        `      - run: pip install -r ${shellWord(install.file)} # your app's dependencies: alembic, SQLAlchemy, a driver`,
        ...inDir
      ];
    case "pyproject":
      return [
        ...steps,
        "      - run: pip install . # your app and its dependencies: alembic, SQLAlchemy, a driver",
        ...inDir
      ];
    case "minimal":
      return [
        ...steps,
        `      - run: pip install ${minimalPackages(project)} # no requirements file found: add what env.py imports`
      ];
  }
}
function postgresLines(postgres) {
  if (!postgres.found) {
    return [`          # postgres-version: '16' # production's major; unset: ${DEFAULT_MAJOR}, the newest supported`];
  }
  const { file, image, kept, major } = postgres.found;
  const inputs = postgresInputs(postgres.found);
  const lines = [];
  if (inputs.version)
    lines.push(`          postgres-version: '${inputs.version}' # production's major: ${file} runs ${image}`);
  if (inputs.image) {
    const why = kept ? `${file}'s own image, for its extensions` : `production runs ${major} (${file}), outside the majors the gate is tested on (${SUPPORTED_MAJORS[0]} to ${SUPPORTED_MAJORS.at(-1)})`;
    lines.push(`          postgres-image: ${yamlScalar(inputs.image)} # ${why}`);
  }
  return lines;
}
function yamlScalar(value) {
  const plain = /^[A-Za-z0-9_./][A-Za-z0-9_./:-]*$/.test(value) && !/^[0-9][0-9._:]*$/.test(value) && // a number, or a sexagesimal
  !/^(true|false|yes|no|on|off|null|y|n)$/i.test(value) && !value.endsWith(":");
  return plain ? value : `'${value.replace(/'/g, "''")}'`;
}
function shellWord(value) {
  return /^[A-Za-z0-9_./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

// src/init/init.ts
var WORKFLOW_FILE = ".github/workflows/migration-gate.yml";
function planInit(options) {
  const project = findProject(options.dir);
  const gitRoot = repositoryRoot(project.dir);
  const root = gitRoot ?? project.dir;
  const workingDirectory = path6.relative(root, project.dir).split(path6.sep).join("/") || ".";
  const dirs = dirsUpToRoot(project.dir, root);
  const python = project.tool === "alembic" ? { version: pythonVersion(dirs, root), install: pythonInstall(dirs, root) } : void 0;
  const postgres = postgresFromCompose(dirs, root);
  const push = options.push === true ? defaultBranch(root) : options.push;
  const warnings = [];
  if (python?.install.kind === "minimal") {
    warnings.push(
      `no uv.lock, poetry.lock, requirements*.txt or installable pyproject.toml in ${workingDirectory === "." ? "the project" : `${workingDirectory} or above it`}: the workflow installs only ${minimalPackages(project)}; add what env.py imports`
    );
  }
  const assumptions = [
    `tool: ${project.tool} (${project.kind}: ${evidenceLine(project, workingDirectory)})`,
    `directory: ${workingDirectory} (${gitRoot ? "working-directory, relative to the repository root" : "not in a git repository: the workflow goes in the project directory; move it to the repository's .github/workflows"}${project.below ? "; the only project below the directory given" : ""})`,
    `python: ${python ? `${python.version.version}, ${python.version.source}` : `none (${project.kind} migrations run without Python)`}`,
    `install: ${python ? installLine(project, python.install) : "nothing"}`,
    `postgres: ${postgresLine(postgres)}`,
    ...push ? [`push: also on pushes to ${push}`] : []
  ];
  const plan = {
    project,
    workingDirectory,
    postgres,
    assumptions,
    ...python ? { python } : {},
    ...push ? { push } : {}
  };
  return { ...plan, target: path6.join(root, WORKFLOW_FILE), text: renderWorkflow(plan), warnings };
}
function writeWorkflow(plan, force) {
  const existed = existsSync5(plan.target);
  if (existed && !force) throw new GateError(`${shownPath(plan.target)} already exists; --force overwrites it`);
  mkdirSync(path6.dirname(plan.target), { recursive: true });
  writeFileSync(plan.target, plan.text);
  return existed;
}
function shownPath(file) {
  const rel = path6.relative(process.cwd(), file);
  return rel && !rel.startsWith("..") && !path6.isAbsolute(rel) ? rel : file;
}
function evidenceLine(project, workingDirectory) {
  const shown = path6.posix.join(workingDirectory, project.evidence);
  if (project.tool !== "sql") return shown;
  return shown === "." ? "files in the project directory" : `${shown}/`;
}
function installLine(project, install) {
  const where = install.dir === "." ? "" : ` in ${install.dir}`;
  switch (install.kind) {
    case "uv":
      return `uv sync --locked (uv.lock${where})`;
    case "poetry":
      return `poetry install --no-root (poetry.lock${where})`;
    case "requirements": {
      const skipped = install.skipped.length ? `; left out: ${install.skipped.join(", ")}` : "";
      return `pip install -r ${install.file} (the main requirements file${where}${skipped})`;
    }
    case "pyproject":
      return `pip install . (pyproject.toml${where})`;
    case "minimal":
      return `pip install ${minimalPackages(project)} (no lock, requirements or installable pyproject.toml found)`;
  }
}
function postgresLine(postgres) {
  if (postgres.found) {
    const { major, image, file, kept } = postgres.found;
    const inputs = postgresInputs(postgres.found);
    const set = [
      ...inputs.version ? [`postgres-version ${inputs.version}`] : [],
      ...inputs.image ? [`postgres-image ${inputs.image}${kept ? " (its extensions kept)" : " (a major the gate is not tested on)"}`] : []
    ];
    return `${major} from ${file} (${image}): ${set.join(", ")}`;
  }
  const read = postgres.without.length ? `; ${postgres.without.join(", ")} names none` : "";
  return `${DEFAULT_MAJOR}, the action's default (no compose file names a postgres image with a major${read}); set postgres-version to production's major`;
}
function defaultBranch(root) {
  const git = (...args) => {
    try {
      return execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    } catch {
      return "";
    }
  };
  const remote = git("symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD");
  if (remote) return remote.replace(/^origin\//, "");
  return git("symbolic-ref", "--quiet", "--short", "HEAD") || "main";
}

// src/cli-init.ts
function runInit(args) {
  const plan = planInit({ dir: args.dir, ...args.push ? { push: args.push } : {} });
  const warn = (w) => process.stderr.write(`migration-gate: warning: ${w}
`);
  if (args.stdout) {
    process.stderr.write(plan.assumptions.map((a) => `${a}
`).join(""));
    plan.warnings.forEach(warn);
    process.stdout.write(plan.text);
    return 0;
  }
  const replaced = writeWorkflow(plan, args.force);
  process.stdout.write(plan.assumptions.map((a) => `${a}
`).join(""));
  plan.warnings.forEach(warn);
  process.stdout.write(`${replaced ? "overwrote" : "wrote"} ${shownPath(plan.target)}
`);
  return 0;
}
export {
  runInit
};
