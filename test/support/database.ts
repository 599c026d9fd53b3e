import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A fresh, migrated database for one test file: a copy of the template the global setup made. */
export async function createTestDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const adminUrl = required('LENDLAB_TEST_PG_URL');
  const template = required('LENDLAB_TEST_TEMPLATE_DB');
  const name = `test_${randomBytes(6).toString('hex')}`;
  await withClient(adminUrl, async (client) => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await client.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
        return;
      } catch (error) {
        // Two files cloning the template at the same instant: the second waits and retries.
        if (attempt >= 20 || !String((error as Error).message).includes('being accessed')) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => withClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with npm test (its global setup starts the services)`);
  return value;
}

/** The database's other sessions, as a line each (state, wait, transaction age, query): what a test stuck on the server was waiting for. */
export async function databaseSessions(url: string): Promise<string> {
  return withClient(url, async (client) => {
    const { rows } = await client.query(
      `SELECT pid, state, wait_event_type, wait_event, round(extract(epoch FROM now() - xact_start) * 1000) AS xact_ms, regexp_replace(left(query, 200), '\\s+', ' ', 'g') AS query
       FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() ORDER BY xact_start NULLS LAST`,
    );
    return `database sessions:\n${rows.map((r) => `  ${r.pid} ${r.state} ${r.wait_event_type ?? '-'}/${r.wait_event ?? '-'} xact ${r.xact_ms ?? '-'} ms: ${r.query}`).join('\n')}`;
  });
}
