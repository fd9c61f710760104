/** Access tokens issued per UTC day, platform-wide (issue 21: the console's Overview). */
import type { DayCount } from './operator_overview.ts';

export interface TokenCountStore {
  /** Adds the counts to the stored ones (per UTC day), in one transaction. */
  add(counts: readonly DayCount[]): Promise<void>;
  /** The counts from `sinceDay` on. */
  perDay(sinceDay: string): Promise<DayCount[]>;
}
