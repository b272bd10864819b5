"""What every migration-gate Python helper shares: the JSON-lines protocol on private copies of
stdin/stdout, the watchdog that ends the helper's process group when the gate goes away, the
processes a step left running, and errors shaped to one line with the user's own file:line.

The Alembic and Django helpers import it (it sits beside them: dist/helper_common.py).
"""
import json
import os
import sys
import traceback

# The protocol owns a private duplicate of stdout; fd 1 is pointed at stderr so that print() in
# env.py or a migration cannot corrupt it. Same for stdin.
_PROTO_OUT = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
_PROTO_IN = os.fdopen(os.dup(0), "r", encoding="utf-8")
os.dup2(2, 1)
sys.stdout = sys.stderr


def send(message):
    _PROTO_OUT.write(json.dumps(message) + "\n")
    _PROTO_OUT.flush()


def read_command():
    line = _PROTO_IN.readline()
    if not line:
        return {"cmd": "quit"}
    return json.loads(line)


def exit_now(code):
    """Ends the helper without the interpreter's teardown, once everything it had to say is sent.

    The gate waits for a helper to exit (a rebuild's old database, the end of every run), and tearing
    down a Python that loaded SQLAlchemy, Alembic or Django and a project costs 60-80 ms of CPU that
    serves nobody: the process is gone a moment later. Output is flushed first; the database
    connection was closed by the tool's own code on the way out (env.py, Django's connection handler),
    and whatever a migration left running was stopped at its step.
    """
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        # What sys.exit would make of it: None is success, anything else but a number a failure.
        os._exit(0 if code is None else code if isinstance(code, int) else 1)


# co_filename -> its real path ("" for "<string>" and the like), for every step of the run: the stack
# of a statement holds dozens of library files, resolved once each rather than once a step.
_real_paths = {}


def real_path(filename):
    """The real path of a code object's file name, resolved once per run."""
    path = _real_paths.get(filename)
    if path is None:
        path = _real_paths[filename] = "" if filename.startswith("<") else os.path.realpath(filename)
    return path


def watch_gate(fd):
    """Ends the helper's whole process group when the gate goes away.

    The gate holds the write end of pipe `fd` and never writes to it; the kernel closes it when the
    gate exits in any way, SIGKILL included. A step blocked in user code (a sleep, a lock) never reads
    stdin again, so EOF there would go unnoticed: this thread waits on the pipe instead, and kills the
    group (this process and whatever a migration started) so nothing outlives the gate.
    """
    import signal
    import threading

    os.set_inheritable(fd, False)  # a process a migration starts must not hold it open

    def wait():
        try:
            while os.read(fd, 64):
                pass
        except OSError:
            pass
        try:
            if os.getpgid(0) == os.getpid():
                os.killpg(os.getpid(), signal.SIGKILL)
        finally:
            os._exit(1)

    threading.Thread(target=wait, name="migration-gate-watchdog", daemon=True).start()


# The pids /proc listed at the last look: a process started since has a pid not among them (pids
# are handed out in increasing order and reused only after they wrap around, millions later).
_listed = None


def group_members(only_new=False):
    """Live processes of the helper's own process group, and its own children: pid -> command line.

    The gate starts the helper as a group leader, so whatever env.py or a migration starts lands in
    this group, or is at least our child when it made a session of its own. A daemon that forked
    twice belongs to neither and is not seen. Linux /proc only; elsewhere the list is empty.
    only_new: look only at processes started since the last look. Reading every process's stat after
    every step cost ~2.5 ms a step on a machine running a hundred processes; the processes a step
    leaves running are all new, since every earlier one was stopped at the step that started it.
    """
    global _listed
    me = os.getpid()
    if not hasattr(os, "getpgid") or os.getpgid(0) != me:
        return {}
    try:
        pids = {int(name) for name in os.listdir("/proc") if name.isdigit()}
    except OSError:
        return {}
    candidates = pids - _listed if only_new and _listed is not None else pids
    _listed = pids
    found = {}
    for pid in candidates:
        name = str(pid)
        if pid == me:
            continue
        try:
            with open("/proc/%s/stat" % name, "rb") as f:
                stat = f.read().decode("utf-8", "replace")
            state, ppid, pgrp = stat[stat.rindex(")") + 2:].split()[:3]
            # Our group, or our own child that left it (start_new_session=True) but not yet us.
            if (int(pgrp) != me and int(ppid) != me) or state in ("Z", "X"):
                continue
            with open("/proc/%s/cmdline" % name, "rb") as f:
                argv = [a.decode("utf-8", "replace") for a in f.read().split(b"\0") if a]
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile, or not readable
        found[int(name)] = clip(" ".join(argv) or "(unnamed)", 120)
    return found


def stop_background(known):
    """Kills the processes a step left running in the group (those not in `known`); returns their commands.

    A migration that starts a process and returns leaves it running beside every later step (and it
    would hold the gate's pipes open past the end of the run): it is stopped here and reported.
    """
    import signal

    left = {pid: cmd for pid, cmd in group_members(only_new=True).items() if pid not in known}
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    for pid in left:
        try:
            os.waitpid(pid, 0)  # reap our own children; others are reaped by their parent or init
        except OSError:
            pass
    return sorted(left.values())


def clip(text, limit=600):
    """At most `limit` characters, keeping both ends: the end often names what is wrong."""
    if len(text) <= limit:
        return text
    half = (limit - 5) // 2
    return text[:half].rstrip() + " ... " + text[-half:].lstrip()


def first_lines(text, limit=600):
    lines = [ln.strip() for ln in str(text).strip().splitlines() if ln.strip()]
    # Keep the database's DETAIL/HINT lines: they name the object ("Key (org_id)=(3) is not present").
    kept = lines[:1] + [ln for ln in lines[1:] if ln.startswith(("DETAIL", "HINT"))]
    return clip(" ".join(kept), limit)



def user_frame(exc, project_dir):
    """The deepest traceback frame inside the project (a migration or env.py), outside site-packages."""
    root = os.path.realpath(project_dir) + os.sep
    found = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.startswith("<"):  # code generated by exec (alembic's op proxies)
            continue
        path = os.path.realpath(frame.filename)
        if path.startswith(root) and "site-packages" not in path and "dist-packages" not in path:
            found = (os.path.relpath(path, os.path.realpath(project_dir)).replace(os.sep, "/"), frame.lineno)
    return found



SAVEPOINT = "migration_gate_observe"


def read_locks(cursor, query, prepared):
    """The locks an observed step's transaction holds, read just before its commit (the gate's query,
    src/drivers/observation.ts), inside a savepoint, so that a read that fails cannot abort the
    transaction the migration is about to commit. Through the statement prepared on the connection
    (planning the query cost twice what running it does; `prepared`: the names prepared there, a set
    this updates, or None where it cannot be tracked), else (a migration that deallocated it) the
    query itself. The rows, or None when no attempt could read them."""
    name = query["name"]
    attempts = [("plain", query["text"])]
    if prepared is not None:
        attempts.insert(0, ("execute", "EXECUTE " + name))
        if name not in prepared:
            attempts.insert(0, ("prepare", "PREPARE %s AS %s" % (name, query["text"])))
    # psycopg2 sends several statements in one round trip and returns the last one's rows; psycopg 3
    # stays on the first result (the savepoint's, which has none), and other DBAPIs may bind each
    # execute as one prepared statement: there the savepoint goes alone.
    joined = type(cursor).__module__.startswith("psycopg2")
    if not joined:
        cursor.execute("SAVEPOINT " + SAVEPOINT)
    for n, (kind, text) in enumerate(attempts):
        try:
            cursor.execute("SAVEPOINT %s; %s" % (SAVEPOINT, text) if joined and n == 0 else text)
        except Exception:  # noqa: BLE001 - the next attempt, or no locks
            cursor.execute("ROLLBACK TO SAVEPOINT " + SAVEPOINT)
            if kind == "execute":
                prepared.discard(name)  # deallocated by the migration: prepared again next step
            # A PREPARE that failed may have been made by an earlier life of the connection.
            continue
        if kind == "prepare":
            prepared.add(name)
            continue
        return [list(r) for r in cursor.fetchall()]
    return None
