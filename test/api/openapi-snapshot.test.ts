/**
 * The API as /docs/json describes it, compared with the committed snapshot
 * (test/api/__snapshots__/openapi.json), so that every change to a request or response
 * (a field added, renamed or retyped, a route, a status) shows up in review as a diff of
 * that file.
 *
 * When the change is intended, update the snapshot deliberately and commit it with the
 * change:
 *
 *   UPDATE_SNAPSHOTS=1 npx vitest run test/api/openapi-snapshot.test.ts
 *
 * The document does not depend on the database engine: the suite checks that on both.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { describeDb } from '../support/db.js';

const SNAPSHOT = fileURLToPath(new URL('./__snapshots__/openapi.json', import.meta.url));

/** The paths (`paths./api/v1/actions.get.responses.200…`) where two JSON values differ, at most `limit`. */
function differences(expected: unknown, actual: unknown, limit = 40): string[] {
  const found: string[] = [];
  const walk = (a: unknown, b: unknown, at: string) => {
    if (found.length >= limit) return;
    if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
      const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
      for (const key of keys) {
        const x = (a as Record<string, unknown>)[key];
        const y = (b as Record<string, unknown>)[key];
        const where = at ? `${at}.${key}` : key;
        if (x === undefined) found.push(`+ ${where}: ${JSON.stringify(y).slice(0, 200)}`);
        else if (y === undefined) found.push(`- ${where}: ${JSON.stringify(x).slice(0, 200)}`);
        else walk(x, y, where);
        if (found.length >= limit) return;
      }
      // Same keys in another order is a change too (property order is what /docs shows).
      if (!found.length && JSON.stringify(Object.keys(a)) !== JSON.stringify(Object.keys(b))) found.push(`~ ${at || '(root)'}: order of keys`);
      return;
    }
    if (JSON.stringify(a) !== JSON.stringify(b)) found.push(`~ ${at || '(root)'}: ${JSON.stringify(a).slice(0, 200)} → ${JSON.stringify(b).slice(0, 200)}`);
  };
  walk(expected, actual, '');
  return found;
}

describeDb('the OpenAPI document /docs/json', (db) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp(db());
  });
  afterEach(async () => t.close());

  it('equals the committed snapshot (UPDATE_SNAPSHOTS=1 to accept a deliberate change)', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/docs/json' });
    expect(response.statusCode).toBe(200);
    const actual = response.json() as unknown;
    const text = `${JSON.stringify(actual, null, 2)}\n`;
    if (process.env.UPDATE_SNAPSHOTS === '1' && db().kind === 'pglite') {
      fs.mkdirSync(new URL('./__snapshots__/', import.meta.url), { recursive: true });
      fs.writeFileSync(SNAPSHOT, text);
      return;
    }
    if (!fs.existsSync(SNAPSHOT)) {
      throw new Error(`No snapshot at ${SNAPSHOT}: run UPDATE_SNAPSHOTS=1 npx vitest run test/api/openapi-snapshot.test.ts and commit it.`);
    }
    const expected = JSON.parse(fs.readFileSync(SNAPSHOT, 'utf8')) as unknown;
    const changes = differences(expected, actual);
    expect(
      changes,
      'The API changed (- in the snapshot only, + in /docs/json only, ~ changed). If intended, run ' +
        'UPDATE_SNAPSHOTS=1 npx vitest run test/api/openapi-snapshot.test.ts and commit test/api/__snapshots__/openapi.json.',
    ).toEqual([]);
    // Equal values written the same way: the committed file is exactly what an update writes.
    expect(fs.readFileSync(SNAPSHOT, 'utf8')).toBe(text);
  });
});
