/**
 * The per-identity throttle under concurrent attempts, on real PostgreSQL with a pool:
 * every failure is counted exactly once (no lost update), and a burst of guesses at one
 * login gets no more password checks than the free failures allow.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, expect, it } from 'vitest';
import {
  claimAttemptOrThrow,
  loginThrottleKey,
  recordFailure,
  THROTTLE_FREE_FAILURES,
} from '../../src/modules/accounts/auth-throttle.js';
import { issueToken, sessionClient } from '../support/api-helpers.js';
import { makeAccount, startTestApp, TEST_PASSWORD, type TestApp } from '../support/app.js';
import { describePostgres } from '../support/db.js';

const ATTEMPTS = 20;

describePostgres('per-identity throttle under concurrency', (db) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp(db());
  });
  afterEach(async () => t.close());

  const failuresOf = async () =>
    (await t.ctx.db.query<{ failures: number }>('select failures from auth_throttles')).rows.map((r) => r.failures);
  const statuses = (responses: LightMyRequestResponse[]) => {
    const counts: Record<number, number> = {};
    for (const r of responses) counts[r.statusCode] = (counts[r.statusCode] ?? 0) + 1;
    return counts;
  };

  it(`${ATTEMPTS} concurrent failures of one key count ${ATTEMPTS} failures`, async () => {
    const key = loginThrottleKey('burst@example.test');
    const counts = await Promise.all(Array.from({ length: ATTEMPTS }, () => recordFailure(t.ctx, key)));
    expect(counts.sort((a, b) => a - b)).toEqual(Array.from({ length: ATTEMPTS }, (_, i) => i + 1));
    expect(await failuresOf()).toEqual([ATTEMPTS]);
  });

  it(`${ATTEMPTS} concurrent wrong passwords for one e-mail: each is counted or refused, and only ${THROTTLE_FREE_FAILURES} are checked`, async () => {
    const brand = await makeAccount(t.ctx, 'BRAND');
    const responses = await Promise.all(
      Array.from({ length: ATTEMPTS }, (_, i) =>
        t.app.inject({
          method: 'POST',
          url: '/api/v1/session',
          payload: { Email: brand.adminEmail, Password: `wrong-password-${i}` },
          remoteAddress: `10.1.0.${i + 1}`,
        }),
      ),
    );
    expect(statuses(responses)).toEqual({ 401: THROTTLE_FREE_FAILURES, 429: ATTEMPTS - THROTTLE_FREE_FAILURES });
    expect(await failuresOf()).toEqual([THROTTLE_FREE_FAILURES]);
    // Even the right password is refused now.
    const right = await t.app.inject({ method: 'POST', url: '/api/v1/session', payload: { Email: brand.adminEmail, Password: TEST_PASSWORD } });
    expect(right.statusCode).toBe(429);
  });

  it(`${ATTEMPTS} concurrent claims on a fresh key: exactly ${THROTTLE_FREE_FAILURES} go through`, async () => {
    const key = loginThrottleKey('claims@example.test');
    const results = await Promise.allSettled(Array.from({ length: ATTEMPTS }, () => claimAttemptOrThrow(t.ctx, key)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(THROTTLE_FREE_FAILURES);
    for (const r of results) if (r.status === 'rejected') expect((r.reason as Error).message).toContain('Too many failed attempts');
    expect(await failuresOf()).toEqual([THROTTLE_FREE_FAILURES]);
  });

  it(`${ATTEMPTS} concurrent wrong API tokens for one Account SID: every checked one is counted, none is lost`, async () => {
    const brand = await makeAccount(t.ctx, 'BRAND');
    const token = await issueToken(await sessionClient(t, brand.adminUserId));
    const responses = await Promise.all(
      Array.from({ length: ATTEMPTS }, (_, i) =>
        t.app.inject({
          method: 'GET',
          url: '/api/v1/account',
          headers: { authorization: `Basic ${Buffer.from(`${brand.sid}:lst_wrong-${i}`).toString('base64')}` },
          remoteAddress: `10.2.0.${i + 1}`,
        }),
      ),
    );
    const counts = statuses(responses);
    expect((counts[401] ?? 0) + (counts[429] ?? 0)).toBe(ATTEMPTS);
    expect(counts[401]).toBeGreaterThanOrEqual(THROTTLE_FREE_FAILURES);
    expect(await failuresOf()).toEqual([counts[401]]);
    // A working integration's concurrent requests never count against each other.
    db().clock.advanceMs(24 * 3_600_000);
    const good = await Promise.all(Array.from({ length: ATTEMPTS }, () => token.client.get('/api/v1/account')));
    expect(statuses(good)).toEqual({ 200: ATTEMPTS });
    expect(await failuresOf()).toEqual([]);
  });
});
