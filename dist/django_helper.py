#!/usr/bin/env python3
"""migration-gate's Django helper: one Python process per scratch database for a whole replay.

The gate (Node) sends JSON lines on stdin and reads JSON lines from a private copy of stdout:
  {"id": 1, "cmd": "upgrade", "revision": "orders.0002_total"}    apply exactly that migration
  {"id": 1, "cmd": "upgrade", "revision": "...", "observe": {...}} the same, recording what it sent
                                                                   and what the server saw (StepObserver)
  {"id": 2, "cmd": "downgrade", "revision": "orders.0002_total"}  unapply exactly that migration
  {"id": 3, "cmd": "current"}                                      the project's applied leaves
  {"id": 4, "cmd": "drift"}                                        what makemigrations would write
  {"id": 5, "cmd": "quit"}
Answers: {"id": 1, "ok": true, "ms": 3.1, "statements": 4} or {"id": 1, "ok": false, "error": {...}}.
The first line it writes is {"event": "ready", "django": "3.2.25", "nodes": [...]} (the project's
migrations as Django's loader has them, for the gate to compare with its own graph), or
{"event": "fatal", "error": {...}} when the settings or the migrations cannot load.

Why this shape: `manage.py migrate` per step imports the project and runs django.setup() every time
(about a second for a real project). Here setup runs once, and each step is one MigrationExecutor
call on the default connection, pointed at the scratch database.

Migrations of apps outside the project (django.contrib.auth...) are not the gate's nodes: a step
applies those its migration needs and that are not applied yet, and the step back unapplies the
ones no applied project migration needs any more, so a step and its undo stay exact opposites.
"""
import argparse
import ast
import os
import re
import sys
import time
from urllib.parse import unquote, urlsplit

# helper_common.py sits beside this file in dist/, one directory up in the sources (src/drivers/).
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [_HERE, os.path.dirname(_HERE)]

from django_drift import model_drift  # noqa: E402
from helper_common import (  # noqa: E402 - the protocol's stdout must be taken before anything prints
    clip,
    exit_now,
    first_lines,
    read_command,
    read_locks,
    real_path,
    send,
    stop_background,
    group_members,
    user_frame,
    watch_gate,
)

# OPTIONS of the user's default database that cannot lead elsewhere or fail on a plain local server.
HARMLESS_OPTIONS = ("options", "isolation_level", "client_encoding", "connect_timeout", "assume_role")


def url_parts(url):
    u = urlsplit(url)
    return {
        "HOST": unquote(u.hostname or ""),
        "PORT": str(u.port or ""),
        "USER": unquote(u.username or ""),
        "PASSWORD": unquote(u.password or ""),
        "NAME": unquote(u.path.lstrip("/")),
    }


def swap_databases(url):
    """Points every alias of DATABASES at the scratch database, whatever the settings said.

    "default" is the one the executor migrates; the others ("legacy", "replica") are pointed there
    too, so that a migration writing through one of them (a RunPython using connections["legacy"],
    a router) writes to the gate's database, never to the one the settings name. The user's settings
    file stays untouched; the settings object in this process is changed after django.setup(), and
    the connection handler forgets what it read. A PostGIS engine is kept (the migrations need its
    field types); anything else (sqlite, mysql) becomes Django's postgresql backend. Returns the
    default alias's engine as the settings named it.
    """
    from django.conf import settings
    from django.db import connections

    for conn in connections.all():
        conn.close()
    named = settings.DATABASES.get("default") or {}
    for alias in list(settings.DATABASES) or ["default"]:
        old = dict(settings.DATABASES.get(alias) or {})
        engine = old.get("ENGINE") or ""
        if "postgis" not in engine and "postgresql" not in engine:
            engine = "django.db.backends.postgresql"
        options = {k: v for k, v in (old.get("OPTIONS") or {}).items() if k in HARMLESS_OPTIONS}
        new = {k: v for k, v in old.items() if k in ("ATOMIC_REQUESTS", "TIME_ZONE", "DISABLE_SERVER_SIDE_CURSORS")}
        new.update(url_parts(url))
        new.update({"ENGINE": engine, "OPTIONS": options, "CONN_MAX_AGE": 0, "AUTOCOMMIT": True})
        settings.DATABASES[alias] = new
    # The handler caches the settings it read and one connection object per alias.
    connections.__dict__.pop("settings", None)
    connections._settings = None
    for alias in list(settings.DATABASES):
        try:
            del connections[alias]
        except (AttributeError, KeyError):
            pass
    return named.get("ENGINE") or "(none)"


def node_id(key):
    return "%s.%s" % key


def key_of(node):
    app, _, name = node.partition(".")
    return (app, name)


def migration_source(migration):
    """The migration's file and its parsed source (None where it cannot be read or parsed)."""
    module = sys.modules.get(type(migration).__module__)
    path = getattr(module, "__file__", None)
    if not path:
        return None, None
    try:
        with open(path, encoding="utf-8") as f:
            return path, ast.parse(f.read())
    except (OSError, SyntaxError, ValueError):
        return path, None


def operation_line(migration, index):
    """1-based line of operations[index] in the migration's file, or None when it cannot be told."""
    path, tree = migration_source(migration)
    if tree is None:
        return path, None
    for cls in tree.body:
        if not isinstance(cls, ast.ClassDef) or cls.name != "Migration":
            continue
        for stmt in cls.body:
            if (isinstance(stmt, ast.Assign) and any(getattr(t, "id", None) == "operations" for t in stmt.targets)
                    and isinstance(stmt.value, (ast.List, ast.Tuple)) and index < len(stmt.value.elts)):
                return path, stmt.value.elts[index].lineno
    return path, None


def is_dangling_reference(exc):
    """Django's StateApps refusing a field that points at a model the state does not have."""
    return isinstance(exc, ValueError) and "was declared with a lazy reference to" in str(exc)


def dangling_model(exc):
    """'sponsors.sponsor' out of "... declared with a lazy reference to 'sponsors.sponsor', but ..."."""
    found = re.search(r"lazy reference to '([^']+)'", str(exc))
    return found.group(1) if found else None


def class_line(migration):
    """The migration's file and the 1-based line of its `class Migration` (None where it cannot be told)."""
    path, tree = migration_source(migration)
    if tree is None:
        return path, None
    line = next((c.lineno for c in tree.body if isinstance(c, ast.ClassDef) and c.name == "Migration"), None)
    return path, line


def relative(path, project_dir):
    root = os.path.realpath(project_dir)
    real = os.path.realpath(path)
    if not real.startswith(root + os.sep):
        return None
    return os.path.relpath(real, root).replace(os.sep, "/")


def describe_error(exc, project_dir):
    """One-line cause plus the user's own file and line, not the framework traceback."""
    # Django wraps the driver's error (psycopg2.errors.UndefinedTable) in its own ProgrammingError.
    cause = exc.__cause__
    if cause is not None and type(cause).__module__.split(".")[0] in ("psycopg2", "psycopg"):
        name = type(cause).__name__
        message = first_lines(cause)
        if name not in ("Error", "DatabaseError", "ProgrammingError"):
            message = "%s: %s" % (name, message)
    else:
        text = first_lines(exc)
        message = "%s: %s" % (type(exc).__name__, clip(text)) if text else type(exc).__name__
    error = {"message": message, "kind": "error"}
    where = user_frame(exc, project_dir)
    if where:
        error["file"], error["line"] = where
    return error


class Replay:
    def __init__(self, args):
        self.args = args
        self.project_apps = set(args.app)
        self.statements = 0
        self.counting = None  # the migration whose statements are counted now
        self.baseline = set()
        self.observer = None  # the StepObserver of an observed upgrade, while it runs
        # Migrations of apps outside the project the database had when the helper started and no
        # applied project migration needs (mode live's copy of production, whose contrib apps are
        # its own): never a step's to unapply. See unapply_orphans.
        self.preexisting = set()
        # mode live: production's migrations of apps outside the project, still to apply (apply_outside).
        self.outside_wanted = []

    def executor(self):
        from django.db import connections
        from django.db.migrations.executor import MigrationExecutor

        return MigrationExecutor(connections["default"], progress_callback=self.progress)

    def progress(self, action, migration=None, fake=False):
        if action in ("apply_start", "unapply_start"):
            self.counting = migration if migration is not None and migration.app_label in self.project_apps else None
            observer = self.observer
            if (action == "apply_start" and observer is not None and migration is not None
                    and (migration.app_label, migration.name) == observer.key):
                from django.db import connections

                observer.started(migration, connections["default"])
        elif action in ("apply_success", "unapply_success"):
            self.counting = None
            if self.observer is not None:
                self.observer.migration = None

    def count(self, execute, sql, params, many, context):
        # Django's own bookkeeping (the django_migrations table) is not the migration's.
        if self.counting is not None and "django_migrations" not in str(sql):
            self.statements += 1
            observer = self.observer
            if observer is not None and observer.applying() and not bookkeeping():
                observer.record(sql, params, many, context)
        return execute(sql, params, many, context)

    def project_nodes(self, executor):
        return sorted(node_id(k) for k in executor.loader.graph.nodes if k[0] in self.project_apps)

    # -- the steps -----------------------------------------------------------------------------------
    def upgrade(self, revision, observe=None):
        executor = self.executor()
        key = key_of(revision)
        if key not in executor.loader.graph.nodes:
            return self.refused("%s is not a migration in Django's graph" % revision)
        if key in executor.loader.applied_migrations:
            return self.refused("%s is applied already" % revision)
        plan = executor.migration_plan([key])
        others = ["%s.%s" % (m.app_label, m.name) for m, _ in plan
                  if m.app_label in self.project_apps and (m.app_label, m.name) != key]
        if others:
            return self.refused("Django would apply %s before %s: the gate's order disagrees with Django's graph"
                                % (", ".join(others), revision))
        # The other apps' migrations go up to their latest with it, as `migrate` leaves them.
        graph = executor.loader.graph
        applied = set(executor.loader.applied_migrations)
        project = self.applied_project(executor) | {key}
        extra = sorted(k for k in self.external_closure(graph, project) if k not in applied)
        targets = [key] + extra
        if extra:
            # Not executor.migration_plan(targets): a target an earlier target's plan applies would be
            # planned backwards there.
            seen = set()
            plan = []
            for target in targets:
                for k in graph.forwards_plan(target):
                    if k not in applied and k not in seen:
                        seen.add(k)
                        plan.append((graph.nodes[k], False))
        reply = self.run(executor, targets, plan, revision, observe)
        if reply.get("ok"):
            try:
                self.apply_outside()
            except Exception as exc:  # noqa: BLE001 - said as the step's failure, never dropped
                error = describe_error(exc, self.args.project)
                error["message"] = "applying production's migrations of apps outside the project after %s failed: %s" % (
                    revision, error.get("message", ""))
                reply = dict(reply, ok=False, error=error)
        return reply

    def downgrade(self, revision):
        executor = self.executor()
        key = key_of(revision)
        graph = executor.loader.graph
        if key not in graph.nodes:
            return self.refused("%s is not a migration in Django's graph" % revision)
        if key not in executor.loader.applied_migrations:
            return self.refused("%s is not applied" % revision)
        in_app = sorted(p.key for p in graph.node_map[key].parents if p.key[0] == key[0])
        targets = in_app or [(key[0], None)]
        plan = executor.migration_plan(targets)
        others = [(m.app_label, m.name) for m, _ in plan
                  if m.app_label in self.project_apps and (m.app_label, m.name) != key]
        dependents = [node_id(o) for o in others if key in graph.forwards_plan(o)]
        if dependents:
            return self.refused("Django would also unapply %s to unapply %s (migrations that depend on it are applied)"
                                % (", ".join(dependents), revision))
        if others:
            # Another leaf of the app on the same parents (two leaves: a conflict the chain check
            # reports): Django's target "the parents' state" unapplies it too, though it does not
            # depend on this one. Unapplied alone, each leaf's step back is exactly its own.
            plan = [(graph.nodes[key], True)]
        if not any((m.app_label, m.name) == key for m, _ in plan):
            return self.refused("Django's plan to unapply %s does not unapply it" % revision)
        reply = self.run(executor, targets, plan, revision)
        if reply.get("ok"):
            orphaned = self.unapply_orphans()
            if orphaned is not None:
                return orphaned
        return reply

    def apply_outside(self):
        """Applies the migrations of apps outside the project that production has (mode live: the
        `--outside` ones), each app up to the latest of them as `migrate` left it there, as soon as
        every project migration they need is applied: at start, and after each step. Their tables are
        then part of the schema the chain gives, as they are of production's (sessions, admin: apps no
        project migration needs), at the revision that let them in. Applied this way they are never a
        step's to unapply (preexisting). A migration Django does not know here is left out."""
        if not self.outside_wanted:
            return
        executor = self.executor()
        graph = executor.loader.graph
        applied = set(executor.loader.applied_migrations)
        ready = []
        for target in self.outside_wanted:
            plan = [k for k in graph.forwards_plan(target) if k not in applied]
            if not any(k[0] in self.project_apps for k in plan):
                ready.append(target)
        if not ready:
            return
        self.outside_wanted = [t for t in self.outside_wanted if t not in ready]
        for target in ready:
            executor = self.executor()
            if target not in executor.loader.applied_migrations:
                executor.migrate([target])
        self.preexisting |= self.unneeded(self.executor())

    def want_outside(self, executor, outside):
        """The `--outside` migrations as targets: per app, the applied one no other builds on."""
        graph = executor.loader.graph
        wanted = {}
        for node in outside:
            key = key_of(node)
            if key[0] in self.project_apps or key not in graph.nodes:
                continue
            wanted.setdefault(key[0], set()).add(key)
        for app, keys in sorted(wanted.items()):
            leaves = [k for k in keys if not any(k in graph.node_map[o].parents for o in keys if o != k)]
            self.outside_wanted.extend(sorted(leaves))

    def unapply_orphans(self):
        """Unapplies the migrations of apps outside the project that no applied project migration needs.

        They came in with the step's upgrade (auth's, for a first migration that depends on auth);
        leaving them would make the step back differ from the state before the step.
        """
        executor = self.executor()
        graph = executor.loader.graph
        orphans = self.unneeded(executor) - self.preexisting
        if not orphans:
            return None
        full = executor.migration_plan(graph.leaf_nodes(), clean_start=True)
        plan = [(m, True) for m, _ in reversed(full) if (m.app_label, m.name) in orphans]
        try:
            executor.migrate(None, plan=plan)
        except Exception as exc:  # noqa: BLE001 - user code in another app's migration
            error = describe_error(exc, self.args.project)
            error["message"] = "unapplying %s (applied with this migration) failed: %s" % (
                ", ".join(sorted(node_id(k) for k in orphans)), error["message"])
            return {"ok": False, "error": error}
        return None

    def applied_project(self, executor):
        graph = executor.loader.graph
        return {k for k in executor.loader.applied_migrations if k[0] in self.project_apps and k in graph.nodes}

    def external_closure(self, graph, project):
        """The migrations of apps outside the project that the `project` migrations need, each app
        they touch up to its latest migration: `manage.py migrate` migrates every installed app to its
        leaf, so production has django.contrib.auth's 0012 where a project migration needs only its
        0001 (`swappable_dependency` is auth's __first__). An app whose latest migration needs a
        project migration not in `project` stays at what is needed. The same function of the applied
        project migrations for the step up and the step back, so the two stay exact opposites."""
        needed = set()
        for key in project:
            needed.update(graph.forwards_plan(key))
        done = set()
        while True:
            apps = {k[0] for k in needed if k[0] not in self.project_apps} - done
            if not apps:
                break
            done |= apps
            for leaf in graph.leaf_nodes():
                if leaf[0] not in apps:
                    continue
                plan = graph.forwards_plan(leaf)
                if all(k[0] not in self.project_apps or k in project for k in plan):
                    needed.update(plan)
        return {k for k in needed if k[0] not in self.project_apps}

    def unneeded(self, executor):
        """Applied migrations of apps outside the project that the applied project migrations do not
        need (external_closure)."""
        graph = executor.loader.graph
        needed = self.external_closure(graph, self.applied_project(executor))
        return {k for k in executor.loader.applied_migrations
                if k[0] not in self.project_apps and k in graph.nodes and k not in needed}

    def refused(self, message):
        return {"ok": False, "error": {"message": message, "kind": "error"}}

    def run(self, executor, targets, plan, revision, observe=None):
        from django.db import connections
        from django.db.migrations.exceptions import IrreversibleError

        self.statements = 0
        t0 = time.perf_counter()
        conn = connections["default"]
        observer = self.observer = StepObserver(observe, key_of(revision), self.args.project) if observe else None
        reply = None
        try:
            with conn.execute_wrapper(self.count), observing_commits(conn, observer):
                executor.migrate(targets, plan=plan)
        except IrreversibleError as exc:
            reply = {"ok": False, "error": self.irreversible(exc, executor, revision)}
        except Exception as exc:  # noqa: BLE001 - user code: any error is the step's result
            reply = {"ok": False, "error": describe_error(exc, self.args.project)}
            if is_dangling_reference(exc):
                self.blame_state(executor, reply["error"])
        finally:
            self.counting = None
            self.observer = None
            # A failed non-atomic migration may leave the connection in an aborted transaction.
            if not conn.get_autocommit() or conn.needs_rollback:
                conn.close()
        if reply is None:
            reply = {"ok": True, "ms": round((time.perf_counter() - t0) * 1000, 2), "statements": self.statements}
        if observer is not None:
            reply.update(observer.reply(reply["ok"], conn))
        return reply

    def blame_state(self, executor, error):
        """A lazy reference Django cannot resolve while it builds the state of the migrations already
        applied, before the step's own migration runs: that state is an earlier migration's doing.
        Names the first applied project migration whose state (with all it depends on) cannot be
        built, which `migrate` from an empty database gets past in one run but a database stopped
        after it cannot: the error is placed at its `class Migration` line, and the fix says why."""
        loader = executor.loader
        graph = loader.graph
        applied = set(loader.applied_migrations)
        order = []
        for leaf in sorted(graph.leaf_nodes()):
            for key in graph.forwards_plan(leaf):
                if key in applied and key[0] in self.project_apps and key not in order:
                    order.append(key)
        for key in order:
            try:
                loader.project_state(nodes=key, at_end=True).apps
            except ValueError as exc:
                if not is_dangling_reference(exc):
                    continue
                migration = graph.nodes[key]
                path, line = class_line(migration)
                rel = relative(path, self.args.project) if path else None
                if rel:
                    error["file"] = rel
                    error["line"] = line
                    error.pop("column", None)
                model = dangling_model(exc)
                error["hint"] = (
                    "%s leaves a state that refers to %s, which none of the migrations it depends on creates: "
                    "`migrate` from an empty database gets past it in one run, but a database stopped after it "
                    "cannot be migrated. Refer to %s in a migration that depends on the migration that creates it."
                    % (node_id(key), model or "a model of another app", model or "that model"))
                return
            except Exception:  # noqa: BLE001 - another fault of that state: not this one to name
                continue

    def irreversible(self, exc, executor, revision):
        """IrreversibleError, at the operation without a reverse (unapply walks them last to first)."""
        migration = executor.loader.graph.nodes.get(key_of(revision))
        error = {"message": "IrreversibleError: %s" % first_lines(exc), "kind": "not-implemented"}
        if migration is None:
            return error
        index = next((i for i in reversed(range(len(migration.operations)))
                      if not migration.operations[i].reversible), None)
        if index is None:
            return error
        kind = type(migration.operations[index]).__name__
        missing = {"RunPython": "reverse_code", "RunSQL": "reverse_sql"}.get(kind)
        if missing:
            # Said as the replay's finding words it: "cannot be downgraded: <why>".
            error["message"] = "IrreversibleError: its %s operation (operations[%d]) has no %s" % (kind, index, missing)
            noop = "migrations.RunPython.noop" if kind == "RunPython" else "migrations.RunSQL.noop"
            error["hint"] = ("give the %s a %s (%s where nothing needs undoing), or allow-list the revision with a reason."
                             % (kind, missing, noop))
        else:
            error["message"] = "IrreversibleError: its %s operation (operations[%d]) is not reversible" % (kind, index)
        path, line = operation_line(migration, index)
        rel = relative(path, self.args.project) if path else None
        if rel:
            error["file"] = rel
            if line:
                error["line"] = line
        return error

    def current(self):
        executor = self.executor()
        graph = executor.loader.graph
        applied = {k for k in executor.loader.applied_migrations if k[0] in self.project_apps and k in graph.nodes}
        heads = [k for k in applied if not any(c.key in applied for c in graph.node_map[k].children)]
        return {"ok": True, "heads": sorted(node_id(k) for k in heads)}

    def drift(self):
        items, tables = model_drift(self.args.app, self.args.project)
        return {"ok": True, "drift": items, "tables": tables}

    def serve(self):
        self.baseline = set(group_members())
        while True:
            command = read_command()
            cmd = command.get("cmd")
            if cmd == "quit":
                return 0
            if cmd in ("upgrade", "downgrade"):
                if cmd == "upgrade":
                    # observe: the queries of an observed step (src/drivers/observation.ts), see StepObserver.
                    reply = self.upgrade(command["revision"], command.get("observe"))
                else:
                    reply = self.downgrade(command["revision"])
                left = stop_background(self.baseline)
                if left:
                    reply["background"] = left
            elif cmd in ("current", "drift"):
                try:
                    reply = self.current() if cmd == "current" else self.drift()
                except Exception as exc:  # noqa: BLE001 - the models' own code may raise anything
                    reply = {"ok": False, "error": describe_error(exc, self.args.project)}
            else:
                reply = {"ok": False, "error": {"message": "unknown command %r" % cmd, "kind": "error"}}
            reply["id"] = command.get("id")
            send(reply)


def bookkeeping():
    """Whether Django's MigrationRecorder sent the statement running now (django_migrations' own
    queries, its has_table introspection included): the tool's bookkeeping, not the migration's."""
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_filename.endswith(os.path.join("migrations", "recorder.py")):
            return True
        frame = frame.f_back
    return False


class observing_commits:
    """While an observed upgrade runs: the locks are read just before each COMMIT of its migration
    (Atomic.__exit__ -> connection.commit() -> _commit), after the deferred SQL ran."""

    def __init__(self, conn, observer):
        self.conn = conn
        self.observer = observer

    def __enter__(self):
        if self.observer is None:
            return self
        tag_deferred_sql()
        TaggedDeferred.observer = self.observer
        conn, observer = self.conn, self.observer
        commit = type(conn)._commit

        def committing():
            if observer.applying() and conn.connection is not None:
                observer.read_locks(conn)
            return commit(conn)

        conn._commit = committing
        return self

    def __exit__(self, *exc):
        if self.observer is not None:
            TaggedDeferred.observer = None
            self.conn.__dict__.pop("_commit", None)
        return False


class TaggedDeferred(list):
    """A schema editor's deferred_sql that remembers where each statement was deferred.

    Django defers SQL (foreign keys, indexes of a CreateModel or AddField) to the schema editor's
    __exit__, where no operation is on the stack any more: the operation that deferred it is read
    when it is appended, so an observed statement points at the operation's line, not at nothing.
    """

    observer = None  # the StepObserver of the observed step running, else None: nothing recorded

    def __init__(self, *args):
        super().__init__(*args)
        self.where = {}

    def append(self, item):
        self.tag(item)
        super().append(item)

    def extend(self, items):
        items = list(items)
        for item in items:
            self.tag(item)
        super().extend(items)

    def tag(self, item):
        observer = TaggedDeferred.observer
        if observer is not None:
            where = observer.where(deferred=False)
            if where:
                self.where[id(item)] = (item, where)


def tag_deferred_sql():
    """Makes every schema editor's deferred_sql a TaggedDeferred (in this process only), once."""
    from django.db.backends.base.schema import BaseDatabaseSchemaEditor

    if getattr(BaseDatabaseSchemaEditor, "_migration_gate_tagged", False):
        return
    enter = BaseDatabaseSchemaEditor.__enter__

    def tagged_enter(self):
        editor = enter(self)
        self.deferred_sql = TaggedDeferred(self.deferred_sql)
        return editor

    BaseDatabaseSchemaEditor.__enter__ = tagged_enter
    BaseDatabaseSchemaEditor._migration_gate_tagged = True


class StepObserver:
    """What one observed upgrade sent and what the server saw it do (StepResult.sent / .observed).

    The Django counterpart of the Alembic helper's Observation, with the same queries (the gate sends
    them, src/drivers/observation.ts): the watermark read before the migration's transaction, the
    lock rows read just before its COMMIT (after the deferred SQL: Django's schema editor runs it in
    its __exit__, before the atomic block commits), inside a savepoint so that a failed read cannot
    abort the transaction. All readings go through the raw driver connection (psycopg2 or
    psycopg 3), which Django's execute wrappers do not see. A non-atomic migration (atomic = False) runs outside any
    transaction the gate can look into: its locks are incomplete. Nothing here may fail the step or
    hide its error: a reading that fails leaves `complete` false.
    """

    # The driver's connection the locks query was prepared on, and the names prepared there.
    prepared_on = None
    prepared = set()

    def __init__(self, queries, key, project_dir):
        self.queries = queries
        self.key = key
        self.project_dir = os.path.realpath(project_dir)
        self.migration = None  # the project migration being applied (set at apply_start)
        self.file = None
        self.file_rel = None
        self.sent = []
        self.watermark = None
        self.logged = False
        self.before = None
        self.after = None
        self.locks = []
        self.commits = 0
        self.atomic = True
        self.failed = False

    # -- the migration's start and end (the executor's progress callback) -----------------------------
    def started(self, migration, conn):
        self.migration = migration
        module = sys.modules.get(type(migration).__module__)
        path = getattr(module, "__file__", None)
        if path:
            self.file = os.path.realpath(path)
            self.file_rel = relative(path, self.project_dir)
        self.atomic = bool(getattr(migration, "atomic", True))
        self.read_before(conn)

    def applying(self):
        return self.migration is not None

    # -- statements ------------------------------------------------------------------------------------
    def record(self, sql, params, many, context):
        where = self.where(deferred=True)
        cursor = getattr(context.get("cursor"), "cursor", None) if isinstance(context, dict) else None
        for one in (params if many and params is not None else [params]):
            item = {"sql": self.as_received(cursor, sql, one)}
            if where:
                item["file"], item["line"] = where
            self.sent.append(item)

    def where(self, deferred):
        """The statement's place in the migration file: the innermost frame of that file (a RunPython
        function, a RunSQL's callable), else the line of the operation being applied, else (SQL the
        schema editor deferred to its __exit__) the operation that deferred it."""
        if self.file is None:
            return None
        from django.db.backends.base.schema import BaseDatabaseSchemaEditor
        from django.db.migrations.migration import Migration

        frame = sys._getframe(1)
        operation = None
        while frame is not None:
            if real_path(frame.f_code.co_filename) == self.file:
                return self.file_rel, frame.f_lineno
            code = frame.f_code.co_name
            owner = frame.f_locals.get("self") if code in ("apply", "__exit__") else None
            if operation is None and code == "apply" and isinstance(owner, Migration) and owner is self.migration:
                operation = frame.f_locals.get("operation")
            if (operation is None and deferred and code == "__exit__" and isinstance(owner, BaseDatabaseSchemaEditor)
                    and isinstance(owner.deferred_sql, TaggedDeferred)):
                tagged = owner.deferred_sql.where.get(id(frame.f_locals.get("sql")))
                if tagged is not None:
                    return tagged[1]
            frame = frame.f_back
        if operation is None or self.file_rel is None:
            return None
        index = next((i for i, op in enumerate(self.migration.operations) if op is operation), None)
        if index is None:
            return None
        _, line = operation_line(self.migration, index)
        return (self.file_rel, line) if line else None

    @staticmethod
    def as_received(cursor, sql, params):
        """The statement as the server gets it: psycopg2 binds parameters client-side, and mogrify
        gives the very text it sends. Without mogrify (psycopg 3 binds on the server) the statement
        is recorded as sent, placeholders and all."""
        try:
            mogrify = getattr(cursor, "mogrify", None)
            if mogrify is None and type(cursor).__module__.startswith("psycopg.") and params:
                import psycopg

                client = psycopg.ClientCursor(cursor.connection)
                try:
                    return client.mogrify(sql, params)
                finally:
                    client.close()
            if mogrify is not None:
                text = mogrify(sql) if params is None else mogrify(sql, params)
                if isinstance(text, bytes):
                    text = text.decode("utf-8", "replace")
                return text
        except Exception:  # noqa: BLE001 - the statement itself is still worth recording
            pass
        return str(sql)

    # -- the server's side -------------------------------------------------------------------------------
    def raw(self, conn):
        conn.ensure_connection()
        return conn.connection

    def read_before(self, conn):
        """Before the migration's transaction, in autocommit (Django's default): the watermark, and
        without the DDL log the relations, whose names say what the step drops."""
        try:
            raw = self.raw(conn)
            with raw.cursor() as cursor:
                cursor.execute(self.queries["before"])
                row = cursor.fetchone()
                self.watermark, self.logged = row[0], bool(row[1])
                if not self.logged:
                    cursor.execute(self.queries["relations"])
                    self.before = [list(r) for r in cursor.fetchall()]
            if not raw.autocommit:
                raw.rollback()
        except Exception:  # noqa: BLE001
            self.failed = True
            self.watermark = None

    def read_relations(self, conn):
        try:
            raw = self.raw(conn)
            with raw.cursor() as cursor:
                cursor.execute(self.queries["relations"])
                rows = [list(r) for r in cursor.fetchall()]
            if not raw.autocommit:
                raw.rollback()
            return rows
        except Exception:  # noqa: BLE001
            self.failed = True
            return []

    def read_locks(self, conn):
        """Just before a COMMIT of the migration: the locks held, inside a savepoint, through the
        statement prepared on this connection (else, deallocated by the migration, the query itself)."""
        self.commits += 1
        query = self.queries["locks_logged" if self.logged else "locks"]
        raw = conn.connection
        if StepObserver.prepared_on is not raw:
            StepObserver.prepared_on, StepObserver.prepared = raw, set()
        done = StepObserver.prepared
        try:
            with raw.cursor() as cursor:
                rows = read_locks(cursor, query, done)
            if rows is None:
                self.failed = True
            else:
                self.locks.extend(rows)
        except Exception:  # noqa: BLE001
            self.failed = True

    def complete(self):
        """The migration's own transaction read whole: atomic, one commit, every reading done."""
        return self.atomic and self.commits == 1 and not self.failed

    def reply(self, ok, conn):
        out = {"sent": self.sent}
        if ok:
            if not self.complete():
                # Else the lock rows read at the commit say what was created and rewritten.
                self.after = self.read_relations(conn)
            out["observed"] = {"watermark": self.watermark, "locks": self.locks, "complete": self.complete()}
            if self.before is not None:
                out["observed"]["before"] = self.before
            if self.after is not None:
                out["observed"]["after"] = self.after
        return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--project", required=True, help="the project directory (cwd, sys.path, file:line)")
    parser.add_argument("--settings", required=True, help="the settings module (DJANGO_SETTINGS_MODULE)")
    parser.add_argument("--app", action="append", default=[], help="a label of an app whose code is in the project")
    parser.add_argument("--outside", action="append", default=[],
                        help="app.migration of an app outside the project to apply at start (mode live: production's)")
    parser.add_argument("--watchdog-fd", type=int, default=-1,
                        help="a pipe the gate holds open: when it closes, the helper's process group ends")
    args = parser.parse_args()
    if args.watchdog_fd >= 0:
        watch_gate(args.watchdog_fd)
    # The URL travels in the environment (a password stays off the process list); the gate also set
    # DATABASE_URL and the libpq variables to it, which many settings modules read.
    url = os.environ.pop("MIGRATION_GATE_URL", "")
    os.chdir(args.project)
    if args.project not in sys.path:
        sys.path.insert(0, args.project)
    os.environ["DJANGO_SETTINGS_MODULE"] = args.settings
    replay = Replay(args)
    try:
        import django

        django.setup()
        engine = swap_databases(url)
        executor = replay.executor()
        # Reads the database (django_migrations): a settings module that connected elsewhere shows here.
        executor.loader.check_consistent_history(executor.connection)
        nodes = replay.project_nodes(executor)
        replay.preexisting = replay.unneeded(executor)
        replay.want_outside(executor, args.outside)
        replay.apply_outside()
    except Exception as exc:  # noqa: BLE001 - the settings, an app's import or a migration file broke
        send({"event": "fatal", "error": describe_error(exc, args.project)})
        return 1
    send({"event": "ready", "django": django.get_version(), "engine": engine, "nodes": nodes})
    return replay.serve()


if __name__ == "__main__":
    exit_now(main())
