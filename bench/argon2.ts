// The bound a password sign-in cannot beat: argon2id with the production parameters
// (src/crypto/passwords.ts), one hash at a time, i.e. on one core of the thread pool.
import { hashPassword } from '../src/crypto/passwords.ts';

export type Argon2Bound = { hashes: number; perSecondPerCore: number; cpuMsPerHash: number };

export async function argon2PerCore(seconds: number): Promise<Argon2Bound> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let hashes = 0;
  while (performance.now() - started < seconds * 1000) {
    await hashPassword('bench-password-long-enough');
    hashes++;
  }
  const cpu = process.cpuUsage(cpuBefore);
  return { hashes, perSecondPerCore: hashes / ((performance.now() - started) / 1000), cpuMsPerHash: (cpu.user + cpu.system) / 1000 / hashes };
}
