// Small Django projects written into temp dirs for the static tests: manage.py, a settings module
// and apps with migration files, as `django-admin startproject` and `makemigrations` lay them out.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

export const MANAGE_PY = `#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
`

/** A migration file as makemigrations writes it; `deps` are Python expressions ("('a', '0001_initial')"). */
export function migrationFile(deps: string[], extra = ''): string {
  return `from django.conf import settings
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
${deps.map((d) => `        ${d},`).join('\n')}
    ]
${extra}
    operations = []
`
}

/** Writes `files` (path -> text) under `dir`, with manage.py and proj/settings.py unless given. */
export function writeDjangoProject(dir: string, files: Record<string, string>, apps?: string[]): string {
  const all: Record<string, string> = {
    'manage.py': MANAGE_PY,
    'proj/__init__.py': '',
    ...(apps
      ? {
          'proj/settings.py': `INSTALLED_APPS = [\n    "django.contrib.auth",\n    "django.contrib.contenttypes",\n${apps.map((a) => `    "${a}",\n`).join('')}]\n`,
        }
      : {}),
    ...files,
  }
  // Every migrations directory is a package.
  for (const p of Object.keys(all)) {
    const m = /^(.*\/migrations)\/[^/]+\.py$/.exec(p)
    if (m && !(`${m[1]}/__init__.py` in all)) all[`${m[1]}/__init__.py`] = ''
  }
  for (const [p, text] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true })
    writeFileSync(join(dir, p), text)
  }
  return dir
}
