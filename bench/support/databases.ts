// Throwaway PostgreSQL databases next to DATABASE_URL's, named bench_<part>_<run>, each dropped by
// the run that made it (also when it fails: callers drop in `finally`).
import pg from 'pg';

const runId = Date.now().toString(36);

async function asAdmin(adminUrl: string, sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

export class Databases {
  private readonly created: string[] = [];
  private readonly adminUrl: string;
  constructor(adminUrl: string) {
    this.adminUrl = adminUrl;
  }

  /** A fresh, empty database; its URL. */
  async create(part: string): Promise<string> {
    const name = `bench_${part}_${runId}`;
    await asAdmin(this.adminUrl, `create database ${name}`);
    this.created.push(name);
    const url = new URL(this.adminUrl);
    url.pathname = `/${name}`;
    return url.href;
  }

  async dropAll(): Promise<void> {
    for (const name of this.created.splice(0)) await asAdmin(this.adminUrl, `drop database if exists ${name} with (force)`);
  }
}
