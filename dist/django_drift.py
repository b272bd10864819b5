"""model-drift for Django: what `python manage.py makemigrations --check --dry-run` would write.

The Django helper (helper.py beside this file) runs it at head. The comparison is Django's own:
MigrationAutodetector between the state the migration files build (MigrationLoader's
project_state, read from the files as makemigrations reads them, not from the database) and the
state the models declare (ProjectState.from_apps), over the project's apps only, as
`makemigrations <app> ...` computes it for them. Each operation it would write is one item, in
Django's words (Operation.describe(): "Add field sku to item"), at the model's file and line.
"""
import ast
import inspect
import os
import textwrap


def _questioner(labels):
    """makemigrations --noinput's questioner, which never asks and never exits.

    Django's NonInteractiveMigrationQuestioner ends the process (sys.exit(3)) where a new NOT NULL
    field has no default: that field is a difference all the same, and the helper must answer. The
    default it would ask for matters only to a migration written to disk, which this one never is.
    """
    from django.db.migrations.questioner import NonInteractiveMigrationQuestioner

    class Questioner(NonInteractiveMigrationQuestioner):
        def ask_not_null_addition(self, field_name, model_name):
            return None

        def ask_not_null_alteration(self, field_name, model_name):
            return None

        def ask_auto_now_add_addition(self, field_name, model_name):
            return None

        def ask_unique_callable_default_addition(self, field_name, model_name):
            return None

    return Questioner(specified_apps=set(labels), dry_run=True)


def _relative(path, project_dir):
    if not path:
        return None
    root = os.path.realpath(project_dir)
    real = os.path.realpath(path)
    if not real.startswith(root + os.sep):
        return None
    return os.path.relpath(real, root).replace(os.sep, "/")


class ModelPlaces:
    """Where a model class and its fields are declared: file relative to the project, 1-based line."""

    def __init__(self, project_dir):
        self.project_dir = project_dir
        self.cache = {}

    def of_model(self, model):
        if model is None:
            return None
        key = (model._meta.app_label, model._meta.model_name)
        if key not in self.cache:
            self.cache[key] = self._read(model)
        return self.cache[key]

    def _read(self, model):
        try:
            path = inspect.getsourcefile(model)
            lines, start = inspect.getsourcelines(model)
        except (OSError, TypeError):
            return None
        rel = _relative(path, self.project_dir)
        if rel is None:
            return None
        fields = {}
        try:
            tree = ast.parse(textwrap.dedent("".join(lines)))
        except SyntaxError:
            tree = None
        cls = tree.body[0] if tree is not None and tree.body else None
        # The class line itself, not a decorator above it.
        line = start + (cls.lineno - 1 if isinstance(cls, ast.ClassDef) else 0)
        if isinstance(cls, ast.ClassDef):
            for stmt in cls.body:
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target] if isinstance(stmt, ast.AnnAssign) else []
                for t in targets:
                    if isinstance(t, ast.Name):
                        fields[t.id] = start + stmt.lineno - 1
        return {"file": rel, "line": line, "fields": fields}

    def place(self, model, field_name=None):
        found = self.of_model(model)
        if not found:
            return None
        return found["file"], found["fields"].get(field_name, found["line"]) if field_name else found["line"]


# The operations makemigrations writes, by what they mean for a database built by the migrations.
_MISSING = ("CreateModel", "AddField", "AddIndex", "AddConstraint")
_EXTRA = ("DeleteModel", "RemoveField", "RemoveIndex", "RemoveConstraint")


def _direction(op):
    name = type(op).__name__
    if name in _MISSING:
        return "missing"
    if name in _EXTRA:
        return "extra"
    return "differs"


def _model(registry, app_label, model_name):
    if registry is None or not model_name:
        return None
    try:
        return registry.get_model(app_label, model_name)
    except LookupError:
        return None


def _column(model, field_name):
    if model is None or not field_name:
        return None
    try:
        return model._meta.get_field(field_name).column
    except Exception:  # noqa: BLE001 - a reverse relation, a field the model no longer has
        return None


_SAID = {
    "missing": "the models declare it and no migration does",
    "extra": "the migrations build it and the models no longer declare it",
    "differs": "the models and the migrations disagree",
}


def _item(op, app_label, apps, migrated, places):
    kind = type(op).__name__
    direction = _direction(op)
    if kind == "RenameModel":
        model_name, old_model_name = op.new_name, op.old_name
    else:
        model_name = getattr(op, "model_name", None) or getattr(op, "name", None)
        old_model_name = model_name
    # Field operations name the model in model_name and the field in name (new_name for a rename).
    field_name = None
    if getattr(op, "model_name", None) and kind not in ("AddIndex", "RemoveIndex", "RenameIndex", "AddConstraint", "RemoveConstraint"):
        field_name = getattr(op, "new_name", None) or getattr(op, "name", None)
    model = _model(apps, app_label, model_name)
    # What the models no longer have is named as the migrations built it.
    old = migrated(app_label, old_model_name) if model is None or direction == "extra" else None
    item = {
        "message": 'app %s: makemigrations would write "%s": %s' % (app_label, op.describe(), _SAID[direction]),
        "direction": direction,
        "scope": app_label,
    }
    declaring = model if model is not None else old
    if declaring is not None:
        item["table"] = declaring._meta.db_table
    column = _column(model, field_name) or _column(old, field_name)
    if column:
        item["column"] = column
    where = places.place(model, field_name)
    if where:
        item["file"], item["line"] = where
    return item


def model_drift(labels, project_dir):
    """Returns (items, tables): one item per operation makemigrations would write for the project's
    apps, and every table the project's models declare -> the file declaring it (None if unknown)."""
    from django.apps import apps
    from django.db.migrations.autodetector import MigrationAutodetector
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.state import ProjectState

    labels = [label for label in labels if label in apps.app_configs]
    # As makemigrations loads it: no connection, so replaced migrations resolve from the files alone.
    loader = MigrationLoader(None, ignore_no_migrations=True)
    before = loader.project_state()
    autodetector = MigrationAutodetector(before, ProjectState.from_apps(apps), _questioner(labels))
    changes = autodetector.changes(graph=loader.graph, trim_to_apps=set(labels), convert_apps=set(labels))

    places = ModelPlaces(project_dir)
    old_apps = []  # the migrations' models, rendered only when an operation needs them

    def migrated(app_label, model_name):
        if not old_apps:
            old_apps.append(before.apps)
        return _model(old_apps[0], app_label, model_name)

    items = []
    for app_label in sorted(changes):
        for migration in changes[app_label]:
            for op in migration.operations:
                items.append(_item(op, app_label, apps, migrated, places))

    tables = {}
    for label in labels:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if model._meta.proxy or not model._meta.managed:
                continue
            where = places.place(model) if not model._meta.auto_created else None
            if model._meta.auto_created:
                # A many-to-many table: declared by the model whose field makes it.
                owner = model._meta.auto_created
                where = places.place(owner)
            tables[model._meta.db_table] = where[0] if where else None
    return items, tables
