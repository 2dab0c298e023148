// Time as a dependency: TOTP steps, lock expiry and audit times all read this clock, so tests can
// move time forward instead of sleeping.
export type Clock = { now: () => Date };

export const systemClock: Clock = { now: () => new Date() };

/** A clock that starts at real time and moves only when told to (tests). */
export function adjustableClock(): Clock & { advance: (seconds: number) => void } {
  let offsetMs = 0;
  return {
    now: () => new Date(Date.now() + offsetMs),
    advance: (seconds: number) => {
      offsetMs += seconds * 1000;
    },
  };
}
