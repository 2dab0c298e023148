// The knobs of `npm run bench`, from the environment, with defaults that keep a whole run on two
// busy cores under ten minutes.
const number = (name: string, fallback: number): number => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number ≥ 0`);
  return value;
};

export const settings = {
  /** Virtual users of every load run. */
  concurrency: number('BENCH_CONCURRENCY', 8),
  /** Measured seconds per flow and server, after the warm-up seconds, which are not measured. */
  seconds: number('BENCH_SECONDS', 10),
  warmupSeconds: number('BENCH_WARMUP_SECONDS', 2),
  /** Users in the large sign-in database (PostgreSQL only). */
  scaleUsers: number('BENCH_SCALE_USERS', 1_000_000),
  /** Expired OIDC rows before the clean-up (PostgreSQL only). */
  expiredRows: number('BENCH_EXPIRED_ROWS', 1_000_000),
};
