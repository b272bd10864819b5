// The Django driver, static part: the project's apps read from its settings, every app's migrations
// parsed without importing them, the graph as Django's loader builds it, and the git checks' layout.
// No Python runs. The replay (a long-lived Django helper) is not written yet: replayUnsupported
// makes every replay mode stop with one line before anything starts.
import type { Logger } from '../../logger.js'
import { GateError } from '../../errors.js'
import type { MigrationDriver, MigrationLayout, MigrationSession } from '../driver.js'
import { djangoLayout } from './git-layout.js'
import { readDjangoGraph, type DjangoGraph } from './graph.js'
import { readDjangoProject, type DjangoProject } from './settings.js'
import { djangoWording } from './wording.js'

export interface DjangoDriverOptions {
  projectDir: string
  /** The `django-settings` input: the settings module, instead of manage.py's default. */
  settings?: string
  logger: Logger
}

export const DJANGO_REPLAY = 'the replay of Django migrations'

export class DjangoDriver implements MigrationDriver {
  readonly tool = 'django'
  readonly bookkeepingTables = ['django_migrations']
  readonly chainWording = djangoWording
  readonly replayUnsupported = DJANGO_REPLAY
  private project: DjangoProject | undefined
  private read: DjangoGraph | undefined

  constructor(private readonly options: DjangoDriverOptions) {}

  /** The apps and settings as read (once per run). */
  djangoProject(): DjangoProject {
    this.project ??= readDjangoProject(this.options.projectDir, this.options.settings)
    return this.project
  }

  async graph(): Promise<DjangoGraph> {
    if (!this.read) {
      const project = this.djangoProject()
      this.read = { ...readDjangoGraph(project), notes: [...project.notes] }
      const apps = project.apps.filter((a) => a.migrationsDir).map((a) => a.label)
      this.options.logger.debug(`django: ${this.read.nodes.length} migrations in apps ${apps.join(', ') || '(none)'}`)
    }
    return this.read
  }

  gitLayout(): MigrationLayout {
    // graph() runs first in every run (the static phase); the layout needs its migrations.
    if (!this.read) throw new Error('django: gitLayout() before graph()')
    return djangoLayout(this.djangoProject(), this.read)
  }

  open(): Promise<MigrationSession> {
    return Promise.reject(new GateError(`mode: ${DJANGO_REPLAY} is not supported yet; use mode static`, 'mode'))
  }
}
