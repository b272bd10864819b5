// A migration that starts a process and returns (`subprocess.Popen([...])`, a `&` in a shell call)
// leaves it running beside every later step, writing who knows what while the gate compares
// catalogs, and on a deploy host it outlives the deploy. The driver stops such processes after the
// step that started them and names them (StepResult.background); this watch turns them into one
// warning per revision and direction, at the revision's file.
import type { MigrationSession, RevisionGraph } from '../drivers/driver.js'
import { stepLocation, watchSteps, type Direction } from './step-watch.js'
import type { Finding } from '../report.js'
import { backgroundProcess } from '../findings/background-process.js'

export class BackgroundProcessWatch {
  /** "revision direction" -> the command lines seen, in the order first seen. */
  private readonly seen = new Map<string, { revision: string; direction: Direction; commands: string[] }>()

  /** The session, with every step's leftover processes noted here. */
  watch(session: MigrationSession): MigrationSession {
    return watchSteps(session, {
      after: (revision, direction, result) => {
        if (result.background?.length) this.note(revision, direction, result.background)
      },
    })
  }

  private note(revision: string, direction: Direction, commands: string[]): void {
    const key = `${revision} ${direction}`
    const entry = this.seen.get(key) ?? { revision, direction, commands: [] }
    for (const c of commands) if (!entry.commands.includes(c)) entry.commands.push(c)
    this.seen.set(key, entry)
  }

  findings(graph: RevisionGraph): Finding[] {
    const nodes = new Map(graph.nodes.map((n) => [n.id, n]))
    return [...this.seen.values()].map(({ revision, direction, commands }) =>
      backgroundProcess(
        { direction, revision, commands },
        { revision, ...stepLocation(nodes.get(revision), direction) },
      ),
    )
  }
}
