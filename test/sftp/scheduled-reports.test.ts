/**
 * Scheduled reports delivered by SFTP (issue 16 item 3): a brand's schedule with Delivery
 * SFTP puts each run's file into its SFTP folder `/reports`, where OpenSSH's sftp lists and
 * downloads it (and may not upload or remove there); the run's history names the file;
 * another account's login never sees it; a schedule without an SFTP login is refused.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { expect, it } from 'vitest';
import type { ManualClock } from '../../src/core/clock.js';
import { runDueSchedules } from '../../src/http/reports/schedule-runs.js';
import { Worker } from '../../src/worker/worker.js';
import { makeSaleAction } from '../support/actions.js';
import { expectProblem } from '../support/api-helpers.js';
import { logInClient, makeAccount, startTestApp } from '../support/app.js';
import { describeDb } from '../support/db.js';
import { makeProgram } from '../support/programs.js';
import { giveSftpAccess, runSftp, useSftpFixture } from './support.js';

describeDb('scheduled reports into the SFTP folder', (context) => {
  const fixture = useSftpFixture(context);

  it('puts each run into /reports, where sftp lists and downloads it, and nowhere else', async () => {
    const t = await startTestApp(context());
    try {
      const { world, brand, server, dir } = fixture;
      const clock = context().clock as ManualClock;
      const sale = await makeSaleAction(t.ctx, world.brand, world.partner, world.program, { amount: '25.00' });
      const client = await logInClient(t.app, world.brand.adminEmail);
      const created = await client.post('/api/v1/report-schedules', {
        Name: 'Nightly pending',
        Report: 'pending-payouts-actions',
        Format: 'csv',
        Filters: { state: 'PENDING' },
        Frequency: 'DAILY',
        TimeOfDay: '02:00',
        TimeZone: 'UTC',
        Delivery: 'SFTP',
      });
      expect(created.statusCode).toBe(201);
      const schedule = created.json();
      clock.set(new Date(new Date(schedule.NextRunDate).getTime() + 1000));
      expect(await runDueSchedules(t.ctx)).toBe(1);
      await new Worker(t.ctx, { kinds: ['report-export'] }).drain();

      const later = await logInClient(t.app, world.brand.adminEmail);
      const [run] = (await later.get(`/api/v1/report-schedules/${schedule.Id}/runs`)).json().Items;
      const runAt = new Date(schedule.NextRunDate).toISOString();
      const name = `nightly-pending-${schedule.Id}_${runAt.slice(0, 10)}_0200.csv`;
      expect(run).toMatchObject({ Status: 'DELIVERED', DeliveredTo: `SFTP /reports/${name}` });

      const listed = await runSftp(server.port, brand.username, { key: brand.key.file }, ['ls -1 /', 'ls -1 /reports', `get /reports/${name}`], { cwd: dir });
      expect(listed.code, listed.stderr).toBe(0);
      expect(listed.stdout).toContain('reports');
      expect(listed.stdout).toContain(name);
      const rows = parse(fs.readFileSync(path.join(dir, name), 'utf8'), { columns: true }) as Array<Record<string, string>>;
      expect(rows.map((r) => r.Id)).toEqual([String(sale)]);

      // Nothing goes into /reports, and its files stay until they expire.
      fs.writeFileSync(path.join(dir, 'upload.csv'), 'ActionId,Amount,Reason\n');
      const put = await runSftp(server.port, brand.username, { key: brand.key.file }, ['put upload.csv /reports/upload.csv'], { cwd: dir });
      expect(put.code).not.toBe(0);
      expect(put.stderr).toMatch(/scheduled reports|denied/i);
      const rm = await runSftp(server.port, brand.username, { key: brand.key.file }, [`rm /reports/${name}`], { cwd: dir });
      expect(rm.code).not.toBe(0);

      // Another brand's login sees an empty /reports.
      const other = await makeAccount(t.ctx, 'BRAND');
      const otherAccess = await giveSftpAccess(t.ctx, other, await makeProgram(t.ctx, other), dir);
      const theirs = await runSftp(server.port, otherAccess.username, { key: otherAccess.key.file }, ['ls -1 /reports', `get /reports/${name}`], { cwd: dir });
      // (sftp echoes each command: only the listing's own lines count.)
      expect(theirs.stdout.split('\n').filter((line) => !line.startsWith('sftp>'))).not.toContain(name);
      expect(theirs.code).not.toBe(0);
    } finally {
      await t.close();
    }
  });

  it('refuses SFTP delivery to an account without an SFTP login, and to a partner', async () => {
    const t = await startTestApp(context());
    try {
      const brand = await makeAccount(t.ctx, 'BRAND');
      const partner = await makeAccount(t.ctx, 'PARTNER');
      const body = { Name: 'N', Report: 'pending-payouts-actions', Frequency: 'DAILY', TimeOfDay: '02:00', Delivery: 'SFTP' };
      const refused = expectProblem(await (await logInClient(t.app, brand.adminEmail)).post('/api/v1/report-schedules', body), 400, /no SFTP login/);
      expect(refused.errors).toEqual([expect.objectContaining({ field: 'Delivery' })]);
      expectProblem(await (await logInClient(t.app, partner.adminEmail)).post('/api/v1/report-schedules', body), 400, /only brand accounts/);
    } finally {
      await t.close();
    }
  });
});
