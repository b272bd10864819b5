// The statements of each observed step, parsed while the replay goes on: the replay spends most of
// its time waiting on the database and the migration tool, so the parser (loaded at the first
// observed step that sent something, never in a run without one) and the parsing fit in those waits
// instead of adding to the run after it. The rules then find every statement parsed already.
import type { SentStatement } from '../drivers/driver.js'
import { loadParser, type ParsedSql, type ParseSql } from './parser.js'

/** Work done in one turn of the event loop before yielding to the replay's replies. */
const SLICE_MS = 4

export class ParseAhead {
  private readonly parsed = new Map<string, ParsedSql[] | { rejected: unknown }>()
  private readonly queue: string[] = []
  private loading: Promise<ParseSql> | undefined
  private parser: ParseSql | undefined
  private scheduled = false

  /** An observed step's statements: parsed in the waits to come. */
  add(sent: readonly SentStatement[]): void {
    if (sent.length === 0) return
    for (const s of sent) this.queue.push(s.sql)
    if (!this.loading) {
      this.loading = loadParser()
      this.loading.then(
        (parse) => {
          this.parser = parse
          this.schedule()
        },
        () => {}, // the rules load it again, and say why it failed
      )
    }
    this.schedule()
  }

  /** The parser, answering from what was parsed ahead; parses the rest as asked. */
  async parse(): Promise<ParseSql> {
    const parse = await (this.loading ?? loadParser())
    this.queue.length = 0
    return (text) => {
      const done = this.parsed.get(text)
      if (done === undefined) return parse(text)
      if ('rejected' in done) throw done.rejected
      return done
    }
  }

  private schedule(): void {
    if (this.scheduled || !this.parser || this.queue.length === 0) return
    this.scheduled = true
    setImmediate(() => {
      this.scheduled = false
      const parse = this.parser as ParseSql
      const until = performance.now() + SLICE_MS
      while (this.queue.length > 0 && performance.now() < until) {
        const text = this.queue.shift() as string
        if (this.parsed.has(text)) continue
        try {
          this.parsed.set(text, parse(text))
        } catch (rejected) {
          this.parsed.set(text, { rejected })
        }
      }
      this.schedule()
    }).unref()
  }
}
