/** Time, as every part of Tessera reads it: one small module that imports nothing. */
export interface Clock {
  /** Milliseconds since the epoch. */
  nowMs(): number;
  /** Whole seconds since the epoch: the unit of every stored time and JWT claim. */
  now(): number;
}

export const systemClock: Clock = {
  nowMs: () => Date.now(),
  now: () => Math.floor(Date.now() / 1000),
};
