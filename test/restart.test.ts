import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/core/clock.js';
import { openDb } from '../src/db/connection.js';
import { migrate } from '../src/db/migrate.js';
import { createAccount } from '../src/modules/accounts/create-account.js';
import { findAccount } from '../src/modules/accounts/queries.js';

describe('PGlite under DATA_DIR', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-restart-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('keeps the data across a restart, and migrating again changes nothing', async () => {
    const first = await openDb({ dataDir });
    expect((await migrate(first)).length).toBeGreaterThan(0);
    const created = await createAccount({ db: first, clock: systemClock }, null, {
      kind: 'BRAND',
      name: 'Survivor',
      timeZone: 'Europe/Paris',
      currency: 'EUR',
      admin: { email: 'survivor@example.test', name: 'S', password: 'long-enough-password' },
    });
    await first.close();

    const second = await openDb({ dataDir });
    expect(await migrate(second)).toEqual([]);
    expect(await findAccount(second, created.id)).toMatchObject({ name: 'Survivor', currency: 'EUR', sid: created.sid });
    await second.close();
  });
});
