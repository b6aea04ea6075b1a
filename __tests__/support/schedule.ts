/**
 * The action on a schedule, in process: the local API's Timeline (traffic, a receiver
 * that goes down and comes back) with a run of the engine every `every`.
 */
import { Timeline, type Measured, type TimelineOptions } from '../../local-api/index.js'
import type { RawInputs } from '../../src/core/config.js'
import type { RunResult } from '../../src/core/types.js'
import { runInProcess, type InProcessOptions, type InProcessRun } from './in-process.js'

export interface ScheduleOptions extends TimelineOptions {
  inputs: RawInputs
  /** Time between two runs. */
  every: number
}

export interface RunRecord extends Measured<InProcessRun> {
  result?: RunResult
  error?: string
}

export class Schedule extends Timeline {
  readonly runs: RunRecord[] = []

  constructor(private readonly schedule: ScheduleOptions) {
    super(schedule)
  }

  /** One run of the action now. */
  async run(options: InProcessOptions = {}): Promise<RunRecord> {
    const measured = await this.measure(() => runInProcess(this.schedule.api, this.schedule.inputs, options))
    const record: RunRecord = { ...measured, result: measured.value.result, error: measured.value.error }
    this.runs.push(record)
    return record
  }

  /** Runs every `every` for `duration`, traffic in between. */
  async runFor(duration: number): Promise<void> {
    for (let t = 0; t < duration; t += this.schedule.every) {
      this.pass(this.schedule.every)
      await this.run()
    }
  }
}
