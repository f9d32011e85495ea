import pg from 'pg';

/**
 * Says up front which database suites will run. In CI nothing may be skipped, so a
 * missing or unreachable PostgreSQL fails the run instead of quietly skipping.
 */
export default async function globalSetup(): Promise<void> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    if (process.env.CI === 'true') {
      throw new Error('CI=true but TEST_DATABASE_URL is not set: the PostgreSQL suites would be skipped.');
    }
    console.log('\n[lockstep] TEST_DATABASE_URL is not set: PostgreSQL test suites are SKIPPED (PGlite suites run).\n');
    return;
  }
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    throw new Error(`TEST_DATABASE_URL is set but PostgreSQL does not answer: ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
  console.log('\n[lockstep] PostgreSQL test suites run against TEST_DATABASE_URL.\n');
}
