import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { loadConfig, ConfigError } from '../../src/config.ts';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  return [];
}

describe('configuration from the environment', () => {
  it('has working defaults for a newcomer', () => {
    const config = loadConfig({});
    assert.equal(config.port, 3000);
    assert.equal(config.issuer, 'http://localhost:3000');
    assert.equal(config.databaseUrl, undefined, 'embedded database by default');
    assert.equal(config.demoRpPort, 3001);
  });

  it('derives the issuer from PORT and strips a trailing slash from ISSUER', () => {
    assert.equal(loadConfig({ PORT: '8080' }).issuer, 'http://localhost:8080');
    assert.equal(loadConfig({ ISSUER: 'https://id.example.com/' }).issuer, 'https://id.example.com');
  });

  it('names every mistake at once, each with what to do', () => {
    const found = problems({ PORT: 'eighty', ISSUER: 'not a url', DATABASE_URL: 'mysql://x', TOBIRA_SECRET: 'short', LOG_LEVEL: 'loud', TRUST_PROXY: 'maybe' });
    assert.equal(found.length, 6);
    assert.ok(found.some((p) => p.startsWith('PORT must be a port number')));
    assert.ok(found.some((p) => p.startsWith('ISSUER must be an absolute URL')));
    assert.ok(found.some((p) => p.startsWith('DATABASE_URL must start with postgres://')));
    assert.ok(found.some((p) => p.includes('TOBIRA_SECRET must be at least 32 characters')));
    assert.ok(found.some((p) => p.startsWith('LOG_LEVEL')));
    assert.ok(found.some((p) => p.startsWith('TRUST_PROXY')));
  });

  it('requires a shared secret when nodes share a PostgreSQL database', () => {
    const found = problems({ DATABASE_URL: 'postgres://db.example/tobira' });
    assert.ok(found.some((p) => p.startsWith('TOBIRA_SECRET is required with DATABASE_URL')));
    assert.deepEqual(problems({ DATABASE_URL: 'postgres://db.example/tobira', TOBIRA_SECRET: 'x'.repeat(32) }), []);
  });

  it('refuses to start in production with /metrics public, in one line that says what to set', () => {
    const base = { NODE_ENV: 'production', ISSUER: 'https://id.example.com', TOBIRA_SECRET: 'x'.repeat(32) };
    const found = problems(base);
    assert.equal(found.length, 1);
    assert.match(found[0]!, /^METRICS_TOKEN or METRICS_PORT is required when NODE_ENV=production/);
    assert.ok(!found[0]!.includes('\n'));
    assert.deepEqual(problems({ ...base, METRICS_TOKEN: 'a-long-random-metrics-token' }), []);
    assert.deepEqual(problems({ ...base, METRICS_PORT: '9464' }), []);
    assert.deepEqual(problems({ NODE_ENV: 'development', TOBIRA_SECRET: 'x'.repeat(32) }), [], 'outside production /metrics may stay open');
  });

  it('requires a secret and https in production', () => {
    const found = problems({ NODE_ENV: 'production', ISSUER: 'http://id.example.com' });
    assert.ok(found.some((p) => p.startsWith('TOBIRA_SECRET is required')));
    assert.ok(found.some((p) => p.startsWith('ISSUER must use https')));
  });

  it('runs one process in development and one per core in production on PostgreSQL', () => {
    const cores = availableParallelism();
    assert.equal(loadConfig({}).workers, 1);
    const production = { NODE_ENV: 'production', ISSUER: 'https://id.example.com', TOBIRA_SECRET: 'x'.repeat(32), METRICS_PORT: '9464' };
    assert.equal(loadConfig({ ...production, DATABASE_URL: 'postgres://db.example/tobira' }).workers, cores);
    assert.equal(loadConfig(production).workers, 1, 'the embedded database allows one process');
    assert.equal(loadConfig({ WORKERS: '3', DATABASE_URL: 'postgres://db.example/tobira', TOBIRA_SECRET: 'x'.repeat(32) }).workers, 3);
    assert.equal(loadConfig({}).threadpoolSize, Math.max(4, cores));
    assert.equal(loadConfig({ UV_THREADPOOL_SIZE: '16' }).threadpoolSize, 16);
  });

  it('refuses several processes on the embedded database in one line', () => {
    assert.deepEqual(problems({ WORKERS: '2' }), ['WORKERS=2 needs DATABASE_URL: the embedded database in TOBIRA_DATA_DIR can be opened by one process only']);
    assert.deepEqual(problems({ WORKERS: '0', UV_THREADPOOL_SIZE: 'many' }), [
      'WORKERS must be a whole number from 1 to 1024 (got "0")',
      'UV_THREADPOOL_SIZE must be a whole number from 1 to 1024 (got "many")',
    ]);
  });
});
