#!/usr/bin/env python3
"""migration-gate's Alembic helper: one Python process for a whole replay.

The gate (Node) sends JSON lines on stdin and reads JSON lines from a private copy of stdout:
  {"id": 1, "cmd": "upgrade", "revision": "ab12"}    apply exactly that revision
  {"id": 1, "cmd": "upgrade", "revision": "ab12", "observe": {"relations": SQL, "locks": SQL}}
                                                     the same, recording what it sent and saw (Observation)
  {"id": 2, "cmd": "downgrade", "revision": "ab12"}  unapply exactly that revision
  {"id": 3, "cmd": "current"}                        revisions the database is at
  {"id": 4, "cmd": "quit"}
Answers: {"id": 1, "ok": true, "ms": 3.1, "statements": 4} or {"id": 1, "ok": false, "error": {...}}.

Why this shape: spawning `alembic` per step, or calling alembic.command per step, rebuilds the script
directory and re-runs env.py every time (~40 ms a call). Here env.py runs once: Alembic calls our `fn`
for the steps to run, and we hand it a generator that yields one RevisionStep per command as the
commands arrive. The user's env.py stays untouched; only `transaction_per_migration` is forced on so
every step commits on its own (the gate reads the catalog between steps from another connection, and
a failing step rolls back alone). When a step raises, env.py unwinds; we answer the command with the
error and run env.py again for the next command.

Works with alembic >= 1.7 and SQLAlchemy 1.4 / 2.x; Python >= 3.8.
"""
import argparse
import os
import sys
import time

# What every helper shares (the protocol on private copies of stdin/stdout, taken before anything
# prints; the watchdog; processes a step left running; errors in one line): helper_common.py, beside
# this file in dist/, one directory up in the sources (src/drivers/), where it is found and then
# taken off sys.path again so that it shadows nothing of the project's.
try:
    import helper_common  # noqa: F401
except ImportError:
    _DRIVERS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sys.path.insert(0, _DRIVERS)
    import helper_common  # noqa: F401

    sys.path.remove(_DRIVERS)
from helper_common import (  # noqa: E402
    clip,
    exit_now,
    first_lines,
    group_members,
    read_command,
    read_locks,
    real_path,
    send,
    stop_background,
    user_frame,
    watch_gate,
)


LOADING = "@@migration-gate-loading@@"


def announce_loading():
    """Names on stderr each file Alembic loads (env.py, revisions), and an empty name when it is done.

    A file that ends the process while it loads (os._exit at import) leaves Python no chance to say
    where; the last name the gate read is the file that did it.
    """
    try:
        import alembic.util as alembic_util
    except Exception:
        return
    load = alembic_util.load_python_file

    def announced(dir_, filename):
        sys.stderr.write("\n%s%s\n" % (LOADING, os.path.join(dir_, filename)))
        sys.stderr.flush()
        try:
            return load(dir_, filename)
        finally:
            sys.stderr.write("\n%s\n" % LOADING)
            sys.stderr.flush()

    alembic_util.load_python_file = announced


def validation_summary(exc):
    """pydantic's ValidationError as one line that names every field ("POSTGRES_SERVER (field required)").

    Its str() puts each field on a line of its own after "5 validation errors for Settings": a first
    line alone would hide exactly what the user has to set.
    """
    errors = getattr(exc, "errors", None)
    if not callable(errors) or type(exc).__name__ != "ValidationError":
        return None
    try:
        items = errors()
        head = str(exc).strip().splitlines()[0]
        fields = ["%s (%s)" % (".".join(str(p) for p in e.get("loc", ())) or "?", e.get("msg", "")) for e in items]
    except Exception:
        return None
    return "%s: %s" % (head, ", ".join(fields))


def is_not_implemented(exc):
    """NotImplementedError, or `raise NotImplemented(...)`: calling the constant raises TypeError."""
    if isinstance(exc, NotImplementedError):
        return True
    return isinstance(exc, TypeError) and "'NotImplementedType' object is not callable" in str(exc)


def embedded_traceback(text, project_dir):
    """A traceback printed into an exception's message (Flask's NoAppException does this): its last
    line (the real error) and the deepest frame inside the project."""
    import re

    if "Traceback (most recent call last):" not in text:
        return None, None
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    last = lines[-1] if lines else None
    root = os.path.realpath(project_dir) + os.sep
    where = None
    for m in re.finditer(r'File "([^"]+)", line (\d+)', text):
        path = os.path.realpath(m.group(1))
        if path.startswith(root) and "site-packages" not in path and "dist-packages" not in path:
            where = (os.path.relpath(path, os.path.realpath(project_dir)).replace(os.sep, "/"), int(m.group(2)))
    return last, where


def describe_error(exc, project_dir):
    """One-line cause plus the user's own file and line, not the framework traceback.

    A message that only introduces its cause ("While importing 'app', an ImportError was raised:")
    gets the cause appended: from a traceback printed into the message, or from `raise ... from`.
    """
    orig = getattr(exc, "orig", None)
    if orig is not None:
        message = first_lines(orig)
        # psycopg2 puts no class name in str(); the SQLSTATE-backed class name helps (UndefinedColumn).
        name = type(orig).__name__
        if name and name not in ("Error", "DatabaseError", "ProgrammingError"):
            message = "%s: %s" % (name, message)
    embedded_where = None
    if orig is None:
        text = validation_summary(exc) or first_lines(exc)
        cause = None
        if text.endswith(":"):
            cause, embedded_where = embedded_traceback(str(exc), project_dir)
            chained = exc.__cause__ or exc.__context__
            if cause is None and chained is not None:
                cause = "%s: %s" % (type(chained).__name__, first_lines(chained))
        if cause:
            text = "%s %s" % (text, cause)
        message = "%s: %s" % (type(exc).__name__, clip(text)) if text else type(exc).__name__
    where = user_frame(exc, project_dir) or embedded_where
    chained = exc.__cause__ or exc.__context__
    if where is None and chained is not None and getattr(chained, "__traceback__", None) is not None:
        where = user_frame(chained, project_dir)
    error = {"message": message, "kind": "not-implemented" if is_not_implemented(exc) else "error"}
    if where:
        error["file"], error["line"] = where
    return error


_CONSTRAINT_KINDS = {
    # SQLAlchemy class -> (pg_constraint.contype, Alembic's type_, how a person says it)
    "ForeignKeyConstraint": ("f", "foreignkey", "foreign key"),
    "UniqueConstraint": ("u", "unique", "unique constraint"),
    "CheckConstraint": ("c", "check", "check constraint"),
    "PrimaryKeyConstraint": ("p", "primary", "primary key"),
}


def unnamed_constraint(exc, plain_url):
    """`op.drop_constraint(None, ...)`: SQLAlchemy's CompileError, said plainly, with the fix.

    Autogenerate writes drop_constraint(None, ...) for constraints created without a name; the
    downgrade then crashes before sending any SQL. PostgreSQL did name the constraint: the database
    still stands after the upgrade, so its catalog says which name to write. Returns (message, hint)
    or None when `exc` is another error.
    """
    import re

    text = str(exc)
    if "Can't emit DROP CONSTRAINT" not in text or "it has no name" not in text:
        return None
    kind = re.search(r"for constraint (\w+)\(", text)
    table = re.search(r"table=Table\('([^']+)'", text)
    schema = re.search(r"schema='([^']+)'", text)
    contype, type_, what = _CONSTRAINT_KINDS.get(kind.group(1) if kind else "", ("", "", "constraint"))
    table_name = table.group(1) if table else None
    message = "CompileError: Can't emit DROP CONSTRAINT for an unnamed %s%s: it has no name (op.drop_constraint(None, ...))" % (
        what, " on %s" % table_name if table_name else "")
    names = []
    if table_name and contype:
        try:
            from sqlalchemy import create_engine, pool, text as sql

            engine = create_engine(sqlalchemy_url(plain_url, False), poolclass=pool.NullPool)
            try:
                with engine.connect() as conn:
                    names = [row[0] for row in conn.execute(sql(
                        "SELECT c.conname FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid "
                        "JOIN pg_namespace n ON n.oid = r.relnamespace WHERE r.relname = :t AND c.contype = :k "
                        "AND (n.nspname = :s OR (:s IS NULL AND pg_table_is_visible(r.oid))) ORDER BY 1"),
                        {"t": table_name, "k": contype, "s": schema.group(1) if schema else None})]
            finally:
                engine.dispose()
        except Exception:  # noqa: BLE001 - the hint is a courtesy; the finding stands without it
            names = []
    call = 'op.drop_constraint("%s", "%s", type_="%s")'
    if len(names) == 1:
        hint = ("Name the constraint: PostgreSQL named this %s %s, so write `%s`, and give the upgrade's "
                "create call that name too, so every database has the same one." % (what, names[0], call % (names[0], table_name, type_)))
    elif names:
        hint = ("Name the constraint: the %ss PostgreSQL made on %s are %s; write the one this downgrade drops in "
                "`%s`, and give the upgrade's create call that name too." % (what, table_name, ", ".join(names), call % ("<name>", table_name, type_)))
    else:
        hint = "Name the constraint in drop_constraint (psql's `\\d %s` shows the name PostgreSQL gave it), and give the upgrade's create call that name too." % (table_name or "<table>")
    return message, hint


def is_async_env(env_py):
    try:
        with open(env_py, encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return False
    return "async_engine_from_config" in text or "create_async_engine" in text or "AsyncEngine" in text


def sqlalchemy_url(plain_url, async_env):
    """Turns the gate's postgresql:// URL into one the installed drivers (and the env.py's mode) can use."""
    rest = plain_url.split("://", 1)[1]

    def have(module):
        try:
            __import__(module)
            return True
        except ImportError:
            return False

    if async_env:
        return ("postgresql+asyncpg://" if have("asyncpg") else "postgresql+psycopg://") + rest
    if have("psycopg2"):
        # Explicit: SQLAlchemy 2.1 reads a bare postgresql:// as psycopg 3.
        return "postgresql+psycopg2://" + rest
    if have("psycopg"):
        return "postgresql+psycopg://" + rest
    if have("pg8000"):
        return "postgresql+pg8000://" + rest
    return "postgresql://" + rest


class Observation:
    """What one observed step sent and what the server saw it do (StepResult.sent / .observed).

    The gate gives the queries (src/drivers/observation.ts, shared with the SQL driver): `before`
    (the watermark) before the step, `relations` where a lock row cannot tell, `locks` just before
    each commit of the step's transaction (locks are released at commit). All run on raw DBAPI cursors, which SQLAlchemy's events do not
    see: they are neither counted nor recorded as statements the migration sent. Nothing here may
    fail the step or hide its error: a reading that fails leaves `complete` false.
    """

    def __init__(self, queries, revision_path, project_dir):
        self.queries = queries
        self.project_dir = os.path.realpath(project_dir)
        self.revision_file = os.path.realpath(revision_path)
        self.revision_rel = os.path.relpath(self.revision_file, self.project_dir).replace(os.sep, "/")
        self.sent = []
        self.watermark = None  # read_before: the greatest oid and file node before the step
        self.logged = False  # the DDL log is installed: it names what the step drops
        self.before = None  # without the log: the relations before the step
        self.locks = []
        self.commits = 0
        self.autocommit = False  # the step used autocommit_block(): part of it ran outside any transaction
        self.in_autocommit = False
        self.failed = False
        self.after = None  # read only when the locks are incomplete

    # -- statements ----------------------------------------------------------------------------------
    def record(self, cursor, statement, parameters, executemany):
        where = self.where()
        for params in (parameters if executemany else [parameters]):
            item = {"sql": self.as_received(cursor, statement, params)}
            if where:
                item["file"], item["line"] = where
            self.sent.append(item)

    def where(self):
        """The innermost frame of the revision file on the stack: the `op.` call that sent it."""
        frame = sys._getframe(2)
        while frame is not None:
            if real_path(frame.f_code.co_filename) == self.revision_file:
                return self.revision_rel, frame.f_lineno
            frame = frame.f_back
        return None

    @staticmethod
    def as_received(cursor, statement, params):
        """The statement as the server gets it.

        psycopg2 binds parameters client-side: mogrify gives the very text it sends (an executemany is
        recorded as one statement per parameter set, as psycopg2's own executemany sends them; its
        execute_values paging joins them into fewer INSERTs, the same rows). psycopg 3 binds them on
        the server; its ClientCursor renders the same values into the text, which is what the server
        executes. Other DBAPIs (asyncpg, pg8000) bind on the server too: the statement is recorded as
        sent, placeholders ($1, %s) and all, without its values.
        """
        try:
            mogrify = getattr(cursor, "mogrify", None)
            if mogrify is None and type(cursor).__module__.startswith("psycopg.") and params:
                import psycopg

                client = psycopg.ClientCursor(cursor.connection)
                try:
                    mogrify = client.mogrify
                    text = mogrify(statement, params)
                finally:
                    client.close()
                return text
            if mogrify is not None:
                text = mogrify(statement, params)
                if isinstance(text, bytes):
                    text = text.decode(Observation.encoding(cursor), "replace")
                return text
        except Exception:  # noqa: BLE001 - the statement itself is still worth recording
            pass
        return statement

    @staticmethod
    def encoding(cursor):
        try:
            from psycopg2.extensions import encodings

            return encodings.get(cursor.connection.encoding, "utf-8")
        except Exception:  # noqa: BLE001
            return "utf-8"

    # -- the server's side ---------------------------------------------------------------------------
    def read_before(self, conn):
        """Before the step's transaction: the watermark (src/drivers/observation.ts), and without the
        DDL log the relations, whose names say what the step drops. Read in autocommit where the DBAPI
        allows it (one round trip, no BEGIN and ROLLBACK around it)."""
        try:
            in_transaction = conn.in_transaction()
            raw = conn.connection
            dbapi = getattr(raw, "dbapi_connection", None) or getattr(raw, "connection", None)
            switched = False
            if not in_transaction and dbapi is not None and getattr(dbapi, "autocommit", None) is False:
                try:
                    dbapi.autocommit = True
                    switched = True
                except Exception:  # noqa: BLE001 - the DBAPI refused (a transaction of its own is open)
                    switched = False
            cursor = raw.cursor()
            try:
                cursor.execute(self.queries["before"])
                row = cursor.fetchone()
                self.watermark, self.logged = row[0], bool(row[1])
                if not self.logged:
                    cursor.execute(self.queries["relations"])
                    self.before = [list(r) for r in cursor.fetchall()]
            finally:
                cursor.close()
                if switched:
                    dbapi.autocommit = False
            if not in_transaction and not switched:
                # The DBAPI began a transaction of its own for the read; SQLAlchemy knows nothing of
                # it. Rolled back (it only read), so the step's transaction starts as it would have.
                raw.rollback()
        except Exception:  # noqa: BLE001
            self.failed = True
            self.watermark = None

    def read_relations(self, conn):
        """The user relations, outside the step's transaction (after it committed)."""
        try:
            in_transaction = conn.in_transaction()
            raw = conn.connection
            cursor = raw.cursor()
            try:
                cursor.execute(self.queries["relations"])
                rows = [list(r) for r in cursor.fetchall()]
            finally:
                cursor.close()
            if not in_transaction:
                raw.rollback()
            return rows
        except Exception:  # noqa: BLE001
            self.failed = True
            return []

    def read_locks(self, conn):
        """At a commit of the step's transaction: the locks held, inside a savepoint, so that a read
        that fails cannot abort the transaction the migration is about to commit. Through a statement
        prepared on the connection (planning the query cost twice what running it does), else (a
        migration that deallocated it) the query itself."""
        if self.in_autocommit:
            return  # autocommit_block's own commit: nothing of ours to look into
        self.commits += 1
        query = self.queries["locks_logged" if self.logged else "locks"]
        raw = conn.connection
        info = getattr(raw, "info", None)
        done = info.setdefault("migration_gate_prepared", set()) if isinstance(info, dict) else None
        cursor = None
        try:
            cursor = raw.cursor()
            rows = read_locks(cursor, query, done)
            if rows is None:
                self.failed = True
            else:
                self.locks.extend(rows)
        except Exception:  # noqa: BLE001
            self.failed = True
        finally:
            if cursor is not None:
                try:
                    cursor.close()
                except Exception:  # noqa: BLE001
                    pass

    def complete(self):
        """One commit: the step's own transaction, read whole. None: the transaction was not Alembic's
        per-migration one (env.py began its own); an autocommit block or a second commit: part of the
        step ran where no reading could see its locks."""
        return self.commits == 1 and not self.autocommit and not self.failed

    def reply(self, ok, version_table):
        out = {"sent": self.sent}
        if ok:
            out["observed"] = {
                "watermark": self.watermark,
                "locks": self.locks,
                "complete": self.complete(),
                "version_table": version_table,
            }
            if self.before is not None:
                out["observed"]["before"] = self.before
            if self.after is not None:
                out["observed"]["after"] = self.after
        return out


class Replay:
    def __init__(self, args):
        self.args = args
        self.quit = False
        self.in_flight = None  # the command whose step is running
        self.entered = False  # env.py reached run_migrations (this run of env.py)
        self.announced = False  # the ready event was sent
        self.statements = 0
        self.observing = None  # the Observation of the step running, when the gate asked for one
        self.version_table = "alembic_version"
        self.baseline = set()  # processes env.py or the app started before the first step: theirs

    def step_reply(self, reply):
        """The reply to a step, with the processes the step left running (stopped) named."""
        left = stop_background(self.baseline)
        if left:
            reply["background"] = left
        return reply

    # -- the work function Alembic iterates ---------------------------------------------------------
    def steps(self, heads, ctx):
        from alembic.runtime.migration import RevisionStep
        from sqlalchemy import event

        if not self.announced:
            # The revision files are imported here, inside env.py's run, where Alembic's own commands
            # import them: a revision may need what env.py set up (an application context, settings).
            # A file that cannot load even here ends the start with its own error, file and line.
            heads = list(self.script.get_heads())
            # Ready only now: env.py ran, connected, and Alembic made its version table, so the
            # gate's first catalog capture sees the database as every later one will.
            import alembic
            import sqlalchemy

            self.baseline = set(group_members())
            send({"event": "ready", "alembic": alembic.__version__, "sqlalchemy": sqlalchemy.__version__,
                  "python": sys.version.split()[0], "url_scheme": self.url_scheme, "heads": sorted(heads)})
            self.announced = True
        self.entered = True
        version_table = getattr(ctx, "version_table", "alembic_version")
        schema = getattr(ctx, "version_table_schema", None)
        self.version_table = "%s.%s" % (schema, version_table) if schema else version_table

        def count(conn, cursor, statement, parameters, context, executemany):
            if version_table not in statement:
                self.statements += 1
                if self.observing is not None:
                    self.observing.record(cursor, statement, parameters, executemany)

        def committing(conn):
            if self.observing is not None:
                self.observing.read_locks(conn)

        event.listen(ctx.connection, "before_cursor_execute", count)
        event.listen(ctx.connection, "commit", committing)
        self.watch_autocommit(ctx)
        try:
            while True:
                cmd = read_command()
                kind = cmd.get("cmd")
                if kind == "quit":
                    self.quit = True
                    return
                if kind == "current":
                    send({"id": cmd.get("id"), "ok": True, "heads": sorted(ctx.get_current_heads())})
                    settle(ctx)
                    continue
                if kind == "drift":
                    try:
                        items, tables = model_drift(ctx, bool(cmd.get("compare_server_default")), self.args.project)
                        send({"id": cmd.get("id"), "ok": True, "drift": items, "tables": tables})
                    except Exception as exc:  # noqa: BLE001 - reported, the replay goes on
                        send({"id": cmd.get("id"), "ok": False, "error": describe_error(exc, self.args.project)})
                    settle(ctx)
                    continue
                if kind in ("upgrade", "downgrade"):
                    try:
                        revision = self.script.get_revision(cmd["revision"])
                    except Exception as exc:  # unknown id
                        send({"id": cmd.get("id"), "ok": False, "error": describe_error(exc, self.args.project)})
                        continue
                    if revision is None:
                        send({"id": cmd.get("id"), "ok": False, "error": {"message": "unknown revision %s" % cmd["revision"], "kind": "error"}})
                        continue
                    self.in_flight = cmd
                    self.statements = 0
                    # The impl remembers objects it created in this context (e.g. enum types it made
                    # for a table) and skips creating them again; a real deploy starts fresh each time.
                    memo = getattr(getattr(ctx, "impl", None), "memo", None)
                    if hasattr(memo, "clear"):
                        memo.clear()
                    observing = None
                    if cmd.get("observe"):
                        observing = Observation(cmd["observe"], revision.path, self.args.project)
                        observing.read_before(ctx.connection)
                    self.observing = observing
                    started = time.perf_counter()
                    yield RevisionStep(self.script.revision_map, revision, kind == "upgrade")
                    # Resumed: the step ran and its own transaction committed.
                    ms = round((time.perf_counter() - started) * 1000, 2)
                    self.in_flight = None
                    self.observing = None
                    reply = {"id": cmd.get("id"), "ok": True, "ms": ms, "statements": self.statements}
                    if observing is not None:
                        if not observing.complete():
                            # Else the lock rows read at the commit say what was created and rewritten
                            # (src/drivers/observation.ts): one read of pg_class a step, not two.
                            observing.after = observing.read_relations(ctx.connection)
                        reply.update(observing.reply(True, self.version_table))
                    send(self.step_reply(reply))
                    continue
                send({"id": cmd.get("id"), "ok": False, "error": {"message": "unknown command %r" % kind, "kind": "error"}})
        finally:
            for name, fn in (("before_cursor_execute", count), ("commit", committing)):
                try:
                    event.remove(ctx.connection, name, fn)
                except Exception:
                    pass

    def watch_autocommit(self, ctx):
        """Notes an observed step that runs `op.get_context().autocommit_block()`.

        The block commits the step's transaction, runs its statements in autocommit mode and begins a
        new transaction: the locks of what ran inside it cannot be read, and its commits are not the
        step's. Patched on this context only (the one op.get_context() returns); the block itself runs
        unchanged, its errors included.
        """
        from contextlib import contextmanager

        original = getattr(ctx, "autocommit_block", None)
        if original is None:
            return
        replay = self

        @contextmanager
        def autocommit_block():
            observing = replay.observing
            if observing is None:
                with original():
                    yield
                return
            observing.autocommit = True
            # Entered by hand so that the flag covers the block's own commit on the way out too: the
            # commit on the way in ends the step's transaction so far, whose locks are read.
            inner = original()
            inner.__enter__()
            observing.in_autocommit = True
            try:
                try:
                    yield
                except BaseException:
                    if not inner.__exit__(*sys.exc_info()):
                        raise
                else:
                    inner.__exit__(None, None, None)
            finally:
                observing.in_autocommit = False

        ctx.autocommit_block = autocommit_block

    # -- running env.py -------------------------------------------------------------------------------
    def run(self):
        from alembic.config import Config
        from alembic.runtime.environment import EnvironmentContext
        from alembic.script import ScriptDirectory

        cfg = Config(self.args.config)
        if self.args.script_location:
            cfg.set_main_option("script_location", self.args.script_location)
        env_py = os.path.join(cfg.get_main_option("script_location") or "", "env.py")
        url = sqlalchemy_url(self.args.url, is_async_env(env_py))
        # The URL reaches the project the way real env.py files read it: the ini option and env vars.
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
        for name in self.args.url_env:
            os.environ[name] = url
        self.script = ScriptDirectory.from_config(cfg)
        self.url_scheme = url.split("://")[0]
        while not self.quit:
            self.entered = False
            try:
                with gate_environment(EnvironmentContext, cfg, self.script, self.steps, self.args.url):
                    self.script.run_env()
                if not self.quit:  # env.py returned without running migrations (or ran them twice)
                    if not self.entered:
                        send({"event": "fatal", "error": {"message": "env.py did not call context.run_migrations()", "kind": "error"}})
                        return 1
            except BaseException as exc:  # noqa: BLE001 - everything the user's code raises is reported
                if isinstance(exc, KeyboardInterrupt):
                    raise
                error = describe_error(exc, self.args.project)
                unnamed = unnamed_constraint(exc, self.args.url) if self.in_flight is not None else None
                if unnamed:
                    error["message"], error["hint"] = unnamed
                if self.in_flight is not None:
                    reply = {"id": self.in_flight.get("id"), "ok": False, "error": error}
                    if self.observing is not None:
                        reply.update(self.observing.reply(False, self.version_table))
                    self.observing = None
                    send(self.step_reply(reply))
                    self.in_flight = None
                    continue
                # env.py itself failed (first start, or a restart after a failed step): nothing can run.
                send({"event": "fatal", "error": error})
                return 1
        return 0


def model_drift(ctx, compare_server_default, project_dir):
    """What the models declare against what the migrations built: Alembic's own comparison.

    Returns (None, None) when env.py gives Alembic no target_metadata (nothing to compare), else a
    list of {"message", "table", "column", "file", "line", "direction"} and the file that declares
    each table of the metadata ({"pdfs": "app/models.py"}; None where no file was found), so the gate
    can tell which model files' tables have drifted.
    Type comparison is on (unless env.py supplies its own compare_type function); server defaults per
    the gate's input (or env.py's function).
    """
    from alembic.autogenerate import compare_metadata

    metadata = ctx.opts.get("target_metadata")
    if metadata is None:
        return None, None
    if not callable(getattr(ctx, "_user_compare_type", None)):
        ctx._user_compare_type = True
    if not callable(getattr(ctx, "_user_compare_server_default", None)):
        ctx._user_compare_server_default = compare_server_default
    _DIALECT[0] = ctx.dialect
    models = ModelIndex(project_dir)
    items = []
    for diff in flatten(compare_metadata(ctx, metadata)):
        item = describe_diff(diff)
        if item is None:
            continue
        op = diff[0]
        item["direction"] = "missing" if op.startswith("add_") else "extra" if op.startswith("remove_") else "differs"
        where = models.locate(item.get("table"), item.get("column"))
        if where:
            item["file"], item["line"] = where
        items.append(item)
    tables = {}
    for meta in metadata if isinstance(metadata, (list, tuple)) else [metadata]:
        for table in getattr(meta, "tables", {}).values():
            where = models.locate(table.name, None)
            tables[table.name] = where[0] if where else None
    return items, tables


def flatten(diffs):
    for d in diffs:
        if isinstance(d, list):  # modify_* ops for one column come grouped
            for x in d:
                yield x
        else:
            yield d


_DIALECT = [None]


def type_text(t):
    """The type as PostgreSQL spells it (TIMESTAMP WITH TIME ZONE, not DATETIME)."""
    try:
        return t.compile(dialect=_DIALECT[0]) if _DIALECT[0] is not None else str(t)
    except Exception:  # some types cannot compile at all
        return type(t).__name__


def describe_diff(d):
    kind = d[0]
    if kind == "add_table":
        t = d[1]
        return {"message": "models declare table %s; no migration creates it" % t.name, "table": t.name}
    if kind == "remove_table":
        t = d[1]
        return {"message": "migrations create table %s that the models do not declare" % t.name, "table": t.name}
    if kind in ("add_column", "remove_column"):
        table, col = d[2], d[3]
        if kind == "add_column":
            msg = "models declare %s.%s (%s); no migration creates it" % (table, col.name, type_text(col.type))
        else:
            msg = "migrations create column %s.%s (%s) that the models do not declare" % (table, col.name, type_text(col.type))
        return {"message": msg, "table": table, "column": col.name}
    if kind == "modify_type":
        table, col, old, new = d[2], d[3], d[5], d[6]
        return {"message": "column %s.%s: models declare %s, migrations build %s" % (table, col, type_text(new), type_text(old)),
                "table": table, "column": col}
    if kind == "modify_nullable":
        table, col, old, new = d[2], d[3], d[5], d[6]
        word = lambda n: "NULL" if n else "NOT NULL"  # noqa: E731
        return {"message": "column %s.%s: models declare %s, migrations build %s" % (table, col, word(new), word(old)),
                "table": table, "column": col}
    if kind == "modify_default":
        table, col, old, new = d[2], d[3], d[5], d[6]
        text = lambda v: "no default" if v is None else "default %s" % getattr(getattr(v, "arg", v), "text", getattr(v, "arg", v))  # noqa: E731
        return {"message": "column %s.%s: models declare %s, migrations build %s" % (table, col, text(new), text(old)),
                "table": table, "column": col}
    if kind == "modify_comment":
        table, col = d[2], d[3]
        return {"message": "column %s.%s: the comment differs between models and migrations" % (table, col),
                "table": table, "column": col}
    if kind in ("add_index", "remove_index"):
        ix = d[1]
        table = ix.table.name if ix.table is not None else "?"
        cols = ", ".join(c.name for c in ix.columns) if ix.columns is not None else ""
        if kind == "add_index":
            msg = "models declare index %s on %s (%s); no migration creates it" % (ix.name, table, cols)
        else:
            msg = "migrations create index %s on %s (%s) that the models do not declare" % (ix.name, table, cols)
        item = {"message": msg, "table": table}
        first = next(iter(ix.columns), None) if ix.columns is not None else None
        if first is not None and getattr(first, "name", None):
            item["column"] = first.name  # where `index=True` usually sits in the model
        return item
    if kind in ("add_constraint", "remove_constraint", "add_fk", "remove_fk"):
        c = d[1]
        table = c.table.name if getattr(c, "table", None) is not None else "?"
        what = {"add_fk": "foreign key", "remove_fk": "foreign key"}.get(kind, type(c).__name__.replace("Constraint", " constraint").lower().strip())
        cols = ", ".join(col.name for col in getattr(c, "columns", []) or [])
        name = c.name or "(unnamed)"
        if kind.startswith("add"):
            msg = "models declare %s %s on %s (%s); no migration creates it" % (what, name, table, cols)
        else:
            msg = "migrations create %s %s on %s (%s) that the models do not declare" % (what, name, table, cols)
        return {"message": msg, "table": table}
    if kind in ("add_table_comment", "remove_table_comment"):
        t = d[1]
        return {"message": "table %s: the comment differs between models and migrations" % t.name, "table": t.name}
    return {"message": "models and migrations differ: %s" % (d,)}


class ModelIndex:
    """The model classes of the project's own modules, by table name, found without running user code.

    Modules of real applications hold objects whose attribute access raises: Flask's `request`,
    `current_app` and `g`, werkzeug LocalProxy objects, lazy settings. So nothing here calls
    getattr on a module's objects: a class is recognised by its real type (not by `__class__`,
    which a proxy forwards), its `__table__` is read from its own class dict, and every
    object is inspected on its own, so one that fails costs only itself.
    """

    def __init__(self, project_dir):
        self.project_dir = os.path.realpath(project_dir)
        self.classes = None

    def _index(self):
        import inspect

        from sqlalchemy import Table

        classes = {}
        root = self.project_dir + os.sep
        for module in list(sys.modules.values()):
            try:
                path = module.__dict__.get("__file__") or ""
                if not os.path.realpath(path).startswith(root):
                    continue
                objects = list(module.__dict__.values())
            except Exception:  # noqa: BLE001 - a module that cannot be read is skipped
                continue
            for obj in objects:
                try:
                    if not issubclass(type(obj), type):
                        continue
                    # The class that declares the table (a single-table subclass inherits it: skipped).
                    table = obj.__dict__.get("__table__")
                    if not isinstance(table, Table):
                        continue
                    name = table.name
                    if name not in classes:
                        classes[name] = (obj, inspect.getsourcefile(obj))
                except Exception:  # noqa: BLE001 - one odd object must not hide the others
                    continue
        return classes

    def locate(self, table, column):
        """(file relative to the project, line) of the class declaring `table` (at `column`'s line)."""
        import inspect

        if not table:
            return None
        if self.classes is None:
            self.classes = self._index()
        found = self.classes.get(table)
        if not found or not found[1]:
            return None
        obj, source = found
        try:
            lines, start = inspect.getsourcelines(obj)
        except (OSError, TypeError):
            return None
        line = start
        if column:
            for i, text in enumerate(lines):
                stripped = text.strip()
                if stripped.startswith((column + " ", column + ":", column + "=")):
                    line = start + i
                    break
        rel = os.path.relpath(os.path.realpath(source), self.project_dir)
        return rel.replace(os.sep, "/"), line


def gate_environment(environment_class, cfg, script, fn, expected_url):
    """An EnvironmentContext whose configure() forces one transaction per migration step.

    Patched on the instance, not subclassed: alembic.context proxies only the names registered for
    EnvironmentContext itself, so a subclass would lose `context.config` inside env.py.
    """
    env = environment_class(cfg, script, fn=fn, as_sql=False)
    original = env.configure

    def configure(*args, **kwargs):
        kwargs["transaction_per_migration"] = True
        result = original(*args, **kwargs)
        # Before Alembic touches anything (it creates its version table first thing in
        # run_migrations): the connection must be the gate's own database.
        ctx = env.get_context()
        if ctx.connection is not None:
            check_database(ctx, expected_url)
        return result

    env.configure = configure
    return env


class WrongDatabase(Exception):
    pass


def check_database(ctx, url):
    """Refuses to run a step unless env.py connected to the gate's scratch database.

    An env.py that builds its URL from its own settings (another variable, a .env file, PG* variables)
    would otherwise migrate, and downgrade, a database the gate did not create, while the gate watched
    an empty one and reported a pass.
    """
    from sqlalchemy import text
    from urllib.parse import unquote, urlsplit

    expected = unquote(urlsplit(url).path.lstrip("/"))
    dialect = getattr(ctx.dialect, "name", "")
    if dialect != "postgresql":
        # Typically a fallback URL (sqlite:///dev.db) used because the variable env.py reads is unset.
        raise WrongDatabase(
            "env.py connected to a %s database, not the gate's scratch PostgreSQL database %r; nothing was "
            "run. The URL must come from sqlalchemy.url or a variable named in database-url-env or "
            "database-parts-env" % (dialect or "non-PostgreSQL", expected)
        )
    actual = ctx.connection.execute(text("SELECT current_database()")).scalar()
    settle(ctx)
    if actual != expected:
        raise WrongDatabase(
            "env.py connected to database %r, not the gate's scratch database %r; nothing was run. "
            "The URL must come from sqlalchemy.url or a variable named in database-url-env or "
            "database-parts-env" % (actual, expected)
        )


def settle(ctx):
    """Ends a transaction SQLAlchemy 2.x autobegan for a read, so nothing stays idle in transaction."""
    conn = ctx.connection
    try:
        if conn.in_transaction():
            trans = conn.get_transaction()
            if trans is not None:
                trans.commit()
    except Exception:
        pass


def export_url(plain_url, url_env, parts_env, driver_url):
    """The scratch database in the environment, before env.py or the application reads it.

    `url_env`: names that get the whole URL (`driver_url`). `parts_env`: NAME=part pairs (host, port, user,
    password, database) for settings that build the URL themselves (libpq's PGHOST..., the postgres
    image's POSTGRES_HOST/POSTGRES_DB..., a project's own DB_HOST...).
    """
    from urllib.parse import unquote, urlsplit

    for name in url_env:
        os.environ[name] = driver_url
    u = urlsplit(plain_url)
    # libpq and pg read a password given as ?password= (key or value percent-encoded) over the userinfo's.
    password = unquote(u.password or "")
    for pair in u.query.split("&"):
        key, _, value = pair.partition("=")
        if unquote(key) == "password":
            password = unquote(value)
    parts = {
        "host": u.hostname or "",
        "port": str(u.port or 5432),
        "user": unquote(u.username or ""),
        "password": password,
        "database": unquote(u.path.lstrip("/")),
    }
    for pair in parts_env:
        name, _, part = pair.partition("=")
        if part in parts:
            os.environ[name] = parts[part]


def read_flaskenv(project):
    """`.flaskenv`: the flask command's own settings file (FLASK_APP=...), committed with the project.

    Read without python-dotenv (which may not be installed), and never over a variable already set.
    `.env` is left alone: it holds a developer's local settings and secrets, often another database.
    """
    try:
        with open(os.path.join(project, ".flaskenv"), encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError:
        return
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        if line.startswith("export "):
            line = line[len("export "):].strip()
        name, _, value = line.partition("=")
        name, value = name.strip(), value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        if name and name not in os.environ:
            os.environ[name] = value


def load_flask_app(project):
    """Flask-Migrate's env.py needs an application context: load the app the way `flask` does.

    FLASK_APP (from the environment or .flaskenv) names it; without it Flask looks for wsgi.py or
    app.py. Flask 2.2+ no longer reads FLASK_APP in ScriptInfo itself, so it is passed explicitly.
    """
    sys.path.insert(0, project)
    from flask.cli import ScriptInfo

    read_flaskenv(project)
    return ScriptInfo(app_import_path=os.environ.get("FLASK_APP") or None).load_app()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True, help="alembic.ini")
    parser.add_argument("--project", required=True, help="the project directory (for file:line)")
    parser.add_argument("--url", default=os.environ.pop("MIGRATION_GATE_URL", ""),
                        help="postgresql:// URL of the scratch database (default: $MIGRATION_GATE_URL, "
                             "which keeps a password off the process list)")
    parser.add_argument("--url-env", action="append", default=[], help="environment variables that get the URL")
    parser.add_argument("--parts-env", action="append", default=[],
                        help="NAME=part: an environment variable that gets one part of the URL "
                             "(host, port, user, password, database)")
    parser.add_argument("--script-location", default="")
    parser.add_argument("--flask", action="store_true", help="run inside the Flask app's context")
    parser.add_argument("--watchdog-fd", type=int, default=-1,
                        help="a pipe the gate holds open: when it closes, the helper's process group ends")
    parser.add_argument("--await-url", action="store_true",
                        help="a spare: import Alembic, then wait for a first stdin line "
                             '{"url": ..., "appname": ...} before anything of the project runs')
    args = parser.parse_args()
    if args.watchdog_fd >= 0:
        watch_gate(args.watchdog_fd)
    if not args.url and not args.await_url:
        parser.error("--url or MIGRATION_GATE_URL is required")
    # Import Alembic before the project joins sys.path: projects often name their script
    # directory "alembic/", which would otherwise shadow the real package.
    import alembic.config  # noqa: F401
    import alembic.runtime.environment  # noqa: F401
    import alembic.runtime.migration  # noqa: F401
    import alembic.script  # noqa: F401

    announce_loading()
    if args.await_url:
        # Interpreter start and these imports are most of a helper's start (~0.25 s): a spare pays
        # them while the gate still works on another database, and gets its database when one is
        # needed (a stairway rebuild). Nothing of the project has run yet, so the URL reaches it as
        # it reaches a helper started for it: in the environment, before env.py or the app reads it.
        sqlalchemy_url("postgresql://spare", False)  # imports the installed driver (psycopg2...) now
        first = read_command()
        if not first.get("url"):
            return 0  # the gate ended, or never needed this spare
        args.url = first["url"]
        if first.get("appname"):
            os.environ["PGAPPNAME"] = first["appname"]
    os.chdir(args.project)
    if args.project not in sys.path:
        sys.path.insert(0, args.project)
    replay = Replay(args)
    # Exported before the Flask app or env.py runs: settings objects read the environment at import.
    # The variables get the URL with the installed driver named (postgresql+psycopg2://...): a bare
    # postgresql:// means psycopg 3 to SQLAlchemy 2.1, which may not be installed.
    export_url(args.url, args.url_env, args.parts_env, sqlalchemy_url(args.url, False))
    if args.flask:
        try:
            app = load_flask_app(args.project)
        except Exception as exc:  # noqa: BLE001
            send({"event": "fatal", "error": describe_error(exc, args.project)})
            return 1
        with app.app_context():
            return replay.run()
    return replay.run()


if __name__ == "__main__":
    exit_now(main())
