// The instance secret is the root of every key Tobira holds: signing keys and client secrets are
// encrypted under a key derived from it, and the cookie keys are derived from it, so every node
// that shares TOBIRA_SECRET can read what another node wrote.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hkdfSync, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { log } from '../log.ts';

export type InstanceKeys = {
  /** AES-256-GCM key for data at rest (signing keys, client secrets, later TOTP secrets). */
  dataKey: Buffer;
  /** Keys for signed cookies (Koa and oidc-provider must share them). */
  cookieKeys: string[];
  /** HMAC-SHA-256 key under which bearer values are stored (src/crypto/token-digest.ts). */
  tokenKey: Buffer;
};

export function resolveSecret(secret: string | undefined, dataDir: string): string {
  if (secret) return secret;
  const path = join(dataDir, 'secret');
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const generated = randomBytes(32).toString('base64url');
  writeFileSync(path, `${generated}\n`, { mode: 0o600 });
  log.warn('TOBIRA_SECRET is not set: generated a development secret', { file: path });
  return generated;
}

function derive(secret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'tobira', purpose, 32));
}

export function deriveInstanceKeys(secret: string): InstanceKeys {
  return {
    dataKey: derive(secret, 'data-at-rest/v1'),
    cookieKeys: [derive(secret, 'cookies/v1').toString('base64url')],
    tokenKey: derive(secret, 'token-digests/v1'),
  };
}

/** The keys of a configuration, derived on first use (a migration with nothing to convert never needs them). */
export function lazyInstanceKeys(config: { secret?: string | undefined; dataDir: string }): () => InstanceKeys {
  let keys: InstanceKeys | undefined;
  return () => (keys ??= deriveInstanceKeys(resolveSecret(config.secret, config.dataDir)));
}
