/**
 * Orders the first group's files so that the serial lane never waits: serial and unit files alternate, longest
 * first, starting with two serial ones. In vitest's own order (projects by name) every serial file came first: the
 * other workers then sat waiting on the lock (serial-lock.ts) while the unit files queued behind them.
 *
 * With more workers than cores, a serial file that waits for the lock costs a sleeping worker, not a core, and one
 * is always ready the moment the lock frees. The unit files fill the rest; they need less time than the lane.
 */
import { BaseSequencer } from "vitest/node";
import type { TestSpecification } from "vitest/node";

const SERIAL_PROJECT = "serial";

export class InterleaveSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const firstGroup = sorted[0]?.project.config.sequence.groupOrder;
    const group = sorted.filter((f) => f.project.config.sequence.groupOrder === firstGroup);
    const rest = sorted.filter((f) => f.project.config.sequence.groupOrder !== firstGroup);
    // BaseSequencer already put each project's files longest first (by the last run's durations).
    const serial = group.filter((f) => f.project.name === SERIAL_PROJECT);
    const unit = group.filter((f) => f.project.name !== SERIAL_PROJECT);
    const order = serial.splice(0, 2);
    while (serial.length > 0 || unit.length > 0) order.push(...unit.splice(0, 1), ...serial.splice(0, 1));
    return [...order, ...rest];
  }
}
