// Asks Alembic itself for the heads (ScriptDirectory.get_heads(): it imports every revision file,
// runs no env.py, touches no database) and compares with the static reading. A disagreement means
// one of the two readers is wrong about this project, which a user should hear about: a warning.
import path from 'node:path'
import type { Finding } from '../../report.js'
import { toolCannotLoad, toolCouldNotLoad, toolSeesOtherHeads } from '../../findings/tool-disagreement.js'
import type { ResourceTracker } from '../../resource-tracker.js'
import { checkChain } from '../../checks/chain.js'
import type { AlembicConfig } from './config.js'
import { readAlembicGraph } from './graph.js'
import { breaksAlembic } from './parse.js'
import { LOADING_MARK, markedAnswers, PYTHON_WATCHDOG, pythonAnswers, runPythonScript } from './python-script.js'
import { alembicCommand, alembicWordingFor } from './wording.js'

/**
 * A cross-check error says no replay showed that Alembic loads the chain online (where env.py has
 * its database); once a replay ran steps, the gate swaps in `shown` and lowers it to a warning.
 */
export const LOADED_ONLINE_WORDING = {
  unshown: 'and no replay showed that commands running env.py online load it',
  shown: 'while the replay, running env.py online, loaded it',
}

export interface CrossCheckOptions extends CrossCheckStart {
  /** Heads of the static graph. */
  staticHeads: string[]
  /** The static findings (graph problems and chain findings); read again when not given. */
  staticFindings?: Finding[]
}

/** What the Python side needs: nothing of the static reading, so it can start before that reading. */
export interface CrossCheckStart {
  /**
   * The interpreter (the `python` input), or the candidates in order of preference: the first that
   * can import alembic (flask_migrate for Flask-Migrate) answers. Trying them with the cross-check
   * itself spares a separate probe process importing alembic first.
   */
  python: string | readonly string[]
  config: AlembicConfig
  /** Default 30 s: ~0.3 s is usual, a large history a few seconds, on a runner busy with the replay more. */
  timeoutMs?: number
  /** Load inside the Flask app's context (Flask-Migrate), as `flask db heads` does. */
  flask?: boolean
  /**
   * Variables env.py may read its URL from, with a URL that cannot reach any server: env.py runs
   * offline, and must neither fail for want of them nor connect anywhere if it tries.
   */
  environment?: Record<string, string>
  /** The run's tracker: the Python process is killed, its process group and all, on every path out. */
  resources: ResourceTracker
  /**
   * At a lower priority (default): beside a replay, which needs the cores more. A static run waits
   * for the cross-check alone, so it runs at the gate's own priority there.
   */
  background?: boolean
  /**
   * Where compiled revision files are kept between runs (each used only where its source's hash
   * matches, so an edited file is never run stale); none: compiled every run. Compiling is about
   * half of loading a long history.
   */
  pycCache?: string
}

/** The cross-check's Python side under way; `judge` compares its answer with the static reading. */
export interface CrossCheckRun {
  judge(staticHeads: string[], staticFindings: Finding[]): Promise<CrossCheckResult>
}

export interface CrossCheckResult {
  findings: Finding[]
  /** Why there is no comparison (Alembic not importable, the interpreter missing, ...). */
  reason?: string
  /** Alembic's heads, when it loaded the revisions. */
  alembicHeads?: string[]
  alembicVersion?: string
  ms: number
}

const MARK = '@@migration-gate-heads@@'

// argv: ini path, script_location override (may be empty), "flask" or "". Prints one marked JSON
// line last, so a revision file printing on import cannot confuse the answer.
// Revision files are imported the way `alembic heads` does first. Where that fails, they are imported
// again where `alembic upgrade` imports them: inside env.py's run (offline, so no database is
// touched), after whatever env.py sets up (an application context, settings); a Flask-Migrate
// project inside its app's context, as `flask db heads` runs. Only when both fail can no Alembic
// command load the chain.

const SCRIPT = `
import io, json, os, sys, warnings
warnings.simplefilter("ignore")
${PYTHON_WATCHDOG}
${pythonAnswers(MARK)}
# A project directory named alembic/ (the default script location) must not shadow the package:
# import it with the working directory off sys.path, as the alembic command does.
saved = list(sys.path)
sys.path[:] = [p for p in sys.path if p not in ("", ".", os.getcwd())]
try:
    import alembic
    if sys.argv[3] == "flask":
        import flask_migrate
    from alembic.config import Config
    from alembic.runtime.environment import EnvironmentContext
    from alembic.script import ScriptDirectory
except Exception as e:
    answer(unavailable="%s: %s" % (type(e).__name__, e))
    sys.exit(0)
sys.path[:] = saved
if os.getcwd() not in sys.path:
    sys.path.insert(0, os.getcwd())
# Which file Alembic is loading, announced before each: a load that raises is placed at its file and
# line, one that ends the process (os._exit) at the last file announced on stderr.
loading = {"file": None}
# Compiled revision files kept between runs, in one file per project: each entry is used only when
# the source's hash matches, so an edited file is compiled afresh, never run stale. Creating a .pyc
# file for each of thousands of revisions costs more than compiling them; one file read does not.
pyc_cache = os.environ.get("MIGRATION_GATE_PYC_CACHE") or None
compiled = {"old": {}, "new": {}, "changed": False}
def compiled_file():
    import hashlib, importlib.util
    key = "|".join([os.path.abspath(sys.argv[1]), sys.argv[2], str(sys.flags.optimize)])
    return os.path.join(pyc_cache, hashlib.sha256(key.encode() + importlib.util.MAGIC_NUMBER).hexdigest()[:32] + ".marshal")
def read_compiled():
    import importlib.util, marshal
    try:
        with open(compiled_file(), "rb") as f:
            if f.read(len(importlib.util.MAGIC_NUMBER)) == importlib.util.MAGIC_NUMBER:
                data = marshal.load(f)
                if isinstance(data, dict):
                    compiled["old"] = data
    except Exception:
        pass
def write_compiled():
    if pyc_cache is None or (not compiled["changed"] and set(compiled["new"]) == set(compiled["old"])):
        return
    import importlib.util, marshal, tempfile
    tmp = None
    try:
        os.makedirs(pyc_cache, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=pyc_cache, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(importlib.util.MAGIC_NUMBER)
            marshal.dump(compiled["new"], f)
        os.replace(tmp, compiled_file())
    except Exception:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
try:
    if pyc_cache is None:
        raise ImportError("no cache")
    import importlib.machinery, importlib.util, marshal
    import alembic.util.pyfiles as _pyfiles
    class CachedSourceLoader(importlib.machinery.SourceFileLoader):
        # Alembic's own loader (a SourceFileLoader from spec_from_file_location) but for where the
        # code comes from.
        def get_code(self, fullname):
            path = self.get_filename(fullname)
            source = self.get_data(path)
            digest = importlib.util.source_hash(source)
            key = os.path.abspath(path)
            entry = compiled["new"].get(key) or compiled["old"].get(key)
            if entry is not None and entry[0] == digest:
                code = marshal.loads(entry[1])
            else:
                code = self.source_to_code(source, path)
                entry = (digest, marshal.dumps(code))
                compiled["changed"] = True
            compiled["new"][key] = entry
            return code
    _load_module_py = _pyfiles.load_module_py
    def _cached_load_module_py(module_id, path):
        # Alembic 1.15 and later pass a pathlib.Path.
        if not os.fspath(path).endswith(".py"):
            return _load_module_py(module_id, path)
        path = os.fspath(path)
        loader = CachedSourceLoader(module_id, path)
        spec = importlib.util.spec_from_file_location(module_id, path, loader=loader)
        module = importlib.util.module_from_spec(spec)
        loader.exec_module(module)
        return module
    read_compiled()
    _pyfiles.load_module_py = _cached_load_module_py
except Exception:
    pyc_cache = None
try:
    import alembic.util as _util
    _load_python_file = _util.load_python_file
    def _announced(dir_, filename):
        path = os.path.join(dir_, filename)
        loading["file"] = path
        sys.stderr.write("\\n${LOADING_MARK}" + path + "\\n")
        sys.stderr.flush()
        module = _load_python_file(dir_, filename)
        loading["file"] = None
        return module
    _util.load_python_file = _announced
except Exception:
    pass
def where(e):
    f = loading["file"]
    if not f:
        return {}
    line = 1
    if isinstance(e, SyntaxError) and e.filename and os.path.abspath(e.filename) == os.path.abspath(f):
        line = e.lineno or 1
    tb = e.__traceback__
    while tb is not None:
        if os.path.abspath(tb.tb_frame.f_code.co_filename) == os.path.abspath(f):
            line = tb.tb_lineno
        tb = tb.tb_next
    return {"file": f, "line": line}

def load(output=None):
    cfg = Config(sys.argv[1], output_buffer=output) if output is not None else Config(sys.argv[1])
    if sys.argv[2]:
        cfg.set_main_option("script_location", sys.argv[2].replace("%", "%%"))
    return cfg, ScriptDirectory.from_config(cfg)

def heads_inside_env():
    cfg, script = load(io.StringIO())
    cfg.set_main_option("sqlalchemy.url", os.environ.get("MIGRATION_GATE_CROSSCHECK_URL", ""))
    seen = []
    def fn(rev, context):
        seen.append(list(script.get_heads()))
        return []
    def run():
        with EnvironmentContext(cfg, script, fn=fn, as_sql=True):
            script.run_env()
    if sys.argv[3] == "flask":
        from flask.cli import ScriptInfo
        with ScriptInfo().load_app().app_context():
            run()
    else:
        run()
    if not seen:
        raise RuntimeError("env.py did not call context.run_migrations() in offline mode")
    return seen[0]

try:
    try:
        heads = list(load()[1].get_heads())
        answer(heads=heads, version=alembic.__version__)
    except BaseException as first:
        at = where(first)
        try:
            heads = heads_inside_env()
        except BaseException as inside:
            answer(error=one_line(first), inside=one_line(inside), version=alembic.__version__, **at)
        else:
            answer(heads=heads, version=alembic.__version__, where="env.py")
except BaseException as e:
    answer(error=one_line(e), version=alembic.__version__)
write_compiled()
# Gone without the interpreter's teardown: with thousands of revision modules loaded it costs tens of
# milliseconds the gate would wait for, and there is nothing left to close.
sys.stdout.flush()
sys.stderr.flush()
os._exit(0)
`

interface Answer {
  /** The file Alembic was loading when it failed (absolute), and the line in it. */
  file?: string
  line?: number
  unavailable?: string
  heads?: string[]
  error?: string
  /** Why loading inside env.py's offline run failed too. */
  inside?: string
  version?: string
}

export async function crossCheckHeads(opts: CrossCheckOptions): Promise<CrossCheckResult> {
  // Alembic would wait forever on a revision "file" that is a named pipe; the static reading names it.
  if (opts.staticFindings?.some(namedPipe)) {
    return { findings: [], reason: NAMED_PIPE, ms: 0 }
  }
  return startCrossCheck(opts).judge(opts.staticHeads, opts.staticFindings ?? (await staticView(opts.config)))
}

const NAMED_PIPE = 'a revision file is a named pipe, which Alembic would wait on'
const namedPipe = (f: Finding): boolean => breaksAlembic(f) && f.message.includes(' is a named pipe, ')

/**
 * Starts Alembic's own load now, before the static reading is done (it needs nothing of it): the
 * two run side by side. `judge` waits for both; a static reading that names a revision file that is
 * a named pipe (which Alembic would wait on forever) stops the load instead.
 */
export function startCrossCheck(opts: CrossCheckStart): CrossCheckRun {
  const started = performance.now()
  const abort = new AbortController()
  const ran = loadWithAlembic(opts, abort.signal)
  // Judged or not (the static reading failed), the load's outcome is read: never an unhandled rejection.
  ran.catch(() => undefined)
  return {
    async judge(staticHeads, staticFindings) {
      const done = (r: Omit<CrossCheckResult, 'ms'>): CrossCheckResult => ({
        ...r,
        ms: Math.round(performance.now() - started),
      })
      if (staticFindings.some(namedPipe)) {
        abort.abort()
        await ran.catch(() => undefined)
        return done({ findings: [], reason: NAMED_PIPE })
      }
      return done(judgeAnswer(await ran, { ...opts, staticHeads, staticFindings }))
    },
  }
}

/** Each candidate interpreter in turn, until one can import alembic (the script says when it cannot). */
async function loadWithAlembic(opts: CrossCheckStart, signal: AbortSignal): Promise<Ran> {
  const { config } = opts
  const candidates = typeof opts.python === 'string' ? [opts.python] : [...opts.python]
  const reasons: string[] = []
  for (const python of candidates) {
    const ran = await runPython(
      python,
      [config.iniPath, config.scriptLocationOverride ?? '', opts.flask ? 'flask' : ''],
      config.projectDir,
      {
        timeoutMs: opts.timeoutMs ?? 30_000,
        environment: {
          ...(opts.environment ?? {}),
          ...(opts.pycCache ? { MIGRATION_GATE_PYC_CACHE: opts.pycCache } : {}),
        },
        resources: opts.resources,
        background: opts.background ?? true,
        signal,
      },
    )
    if ('reason' in ran) reasons.push(ran.reason)
    else if ('answer' in ran && ran.answer.unavailable !== undefined)
      reasons.push(
        `${python} cannot import ${opts.flask ? 'alembic and flask_migrate' : 'alembic'} (${ran.answer.unavailable})`,
      )
    else return { ...ran, python }
    if (signal.aborted) break
  }
  return { reason: reasons.join('; ') || 'no interpreter to try' }
}

type Ran = { reason: string } | ({ python: string } & ({ answer: Answer } | { failed: string; loading?: string }))

function judgeAnswer(
  ran: Ran,
  opts: CrossCheckStart & { staticHeads: string[]; staticFindings: Finding[] },
): Omit<CrossCheckResult, 'ms'> {
  const { config, staticFindings } = opts
  if ('reason' in ran) return { findings: [], reason: ran.reason }
  if ('failed' in ran) {
    // The static reading already says why it breaks (a revision file that is a named pipe).
    if (staticFindings.some(expectedToBreakAlembic)) return { findings: [] }
    // Alembic was importable (the script says so itself when it is not): the project's own code
    // ended or stalled the load (os._exit at import, a revision file that is a pipe), and `alembic
    // heads` meets the same.
    return {
      findings: [
        toolCouldNotLoad(
          {
            tool: 'Alembic',
            failure: ran.failed,
            headsCommand: alembicCommand(config, 'heads'),
            unshown: LOADED_ONLINE_WORDING.unshown,
          },
          ran.loading
            ? { file: relativeToProject(config, ran.loading), line: 1 }
            : { file: relativeIni(config), line: 1 },
        ),
      ],
    }
  }
  const { python, answer } = ran
  const done = (r: Omit<CrossCheckResult, 'ms'>) => r
  const version = answer.version !== undefined ? { alembicVersion: answer.version } : {}

  const ids = (list: string[]): string => (list.length > 0 ? list.join(', ') : 'none')
  const location = { file: relativeIni(config), line: 1 }

  // Where Alembic's own load failed, when it could say: the revision file and line beat alembic.ini.
  const failedAt = (file: string | undefined, line?: number) =>
    file ? { file: relativeToProject(config, file), line: line ?? 1 } : location
  if (answer.error !== undefined) {
    // Alembic failing is expected where the static side found what breaks it.
    if (staticFindings.some(expectedToBreakAlembic)) return done({ findings: [], ...version })
    return done({
      ...version,
      findings: [
        // An error: the gate cannot show that the tool loads this chain, and a chain the tool
        // cannot load fails every deploy. A replay that runs steps shows it loads online after
        // all (env.py connects while loading); the gate then lowers this to a warning.
        toolCannotLoad(
          {
            tool: 'Alembic',
            version: answer.version ?? '',
            error: answer.error,
            inside: insideWhy(answer.inside),
            staticHeads: ids(opts.staticHeads),
            headsCommand: alembicCommand(config, 'heads'),
            historyCommand: alembicCommand(config, 'history'),
            python,
            unshown: LOADED_ONLINE_WORDING.unshown,
          },
          failedAt(answer.file, answer.line),
        ),
      ],
    })
  }

  const alembicHeads = [...new Set(answer.heads ?? [])].sort()
  const staticHeads = [...new Set(opts.staticHeads)].sort()
  const expected = staticFindings.filter(expectedToBreakAlembic)
  // A file the gate cannot read by design (a computed down_revision) has its own finding, and
  // explains different heads by itself.
  const byDesign = staticFindings.some((f) => f.id === 'unparseable-migration' && !breaksAlembic(f))
  const differs = alembicHeads.join(' ') !== staticHeads.join(' ')
  if (expected.length === 0 && (!differs || byDesign)) return done({ findings: [], alembicHeads, ...version })
  const note =
    expected.length > 0
      ? ` The static reading expected Alembic to fail (${expected.map((f) => `${f.id} in ${f.file ?? '?'}`).join(', ')}), yet Alembic loaded every revision.`
      : ''
  return done({
    alembicHeads,
    ...version,
    findings: [
      toolSeesOtherHeads(
        {
          tool: 'Alembic',
          version: answer.version ?? '',
          toolHeads: ids(alembicHeads),
          staticHeads: ids(staticHeads),
          note,
          headsCommand: alembicCommand(config, 'heads'),
        },
        location,
      ),
    ],
  })
}

/**
 * Why loading inside env.py's offline run failed too, as a clause. An env.py that connects even
 * offline meets the cross-check's placeholder URL (a port nothing listens on): that is said as such,
 * not as a connection error the user would go looking for.
 */
function insideWhy(inside: string | undefined): string {
  if (!inside) return ''
  if (/127\.0\.0\.1.*\b1\b|migration_gate_cross_check|port 1 failed/.test(inside)) {
    return ', nor inside env.py run offline (env.py connects to a database even then)'
  }
  return `, nor inside env.py run offline (${inside})`
}

/** Findings whose cause makes Alembic itself fail to build its graph. */
function expectedToBreakAlembic(f: Finding): boolean {
  if (f.id === 'unparseable-migration') return breaksAlembic(f)
  return f.id === 'missing-parent' || f.id === 'revision-cycle'
}

async function staticView(config: AlembicConfig): Promise<Finding[]> {
  const graph = await readAlembicGraph(config)
  return [...graph.problems, ...checkChain(graph, alembicWordingFor(config))]
}

function relativeToProject(config: AlembicConfig, file: string): string {
  return path.relative(config.projectDir, path.resolve(config.projectDir, file)).split(path.sep).join('/')
}

function relativeIni(config: AlembicConfig): string {
  return path.relative(config.projectDir, config.iniPath).split(path.sep).join('/')
}

async function runPython(
  python: string,
  args: string[],
  cwd: string,
  how: {
    timeoutMs: number
    environment: Record<string, string>
    resources: ResourceTracker
    background: boolean
    signal: AbortSignal
  },
): Promise<{ answer: Answer } | { reason: string } | { failed: string; loading?: string }> {
  const { timeoutMs } = how
  const ran = await runPythonScript({
    python,
    script: SCRIPT,
    args,
    cwd,
    environment: how.environment,
    timeoutMs,
    name: 'alembic cross-check',
    resources: how.resources,
    background: how.background,
    signal: how.signal,
  })
  const answer = markedAnswers<Answer>(ran.stdout, MARK).at(-1)
  if (answer) return { answer }
  if (ran.notFound) return { reason: `${python}: not found` }
  // No answer at all: the script answers even when Alembic cannot be imported, so the load itself
  // ended the process or never finished.
  const last = ran.stderrTail.trim().split('\n').pop()?.trim()
  return {
    ...(ran.loading ? { loading: ran.loading } : {}),
    failed: ran.timedOut
      ? `loading them did not finish within ${Math.round(timeoutMs / 1000)} s`
      : `the Python process loading them ended (${ran.exit ?? 'no answer'}) before answering${last ? ` (${last})` : ''}`,
  }
}
