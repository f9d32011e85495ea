/**
 * Scheduled reports (issue 16 item 3): a schedule runs at its time in its time zone, its
 * date range relative to the run, as an export the worker writes; the run is e-mailed with
 * the file attached through a real SMTP exchange and recorded in its history; pause,
 * resume, edit and delete; a schedule of a user who left stops; bad timing is a 400 naming
 * each field; two instances running the due schedules at once make one run.
 */
import { expect, it } from 'vitest';
import type { ManualClock } from '../../src/core/clock.js';
import { runDueSchedules } from '../../src/http/reports/schedule-runs.js';
import { removeMember } from '../../src/modules/accounts/members.js';
import { Worker } from '../../src/worker/worker.js';
import { makeSaleAction } from '../support/actions.js';
import { expectProblem } from '../support/api-helpers.js';
import { addMember, logInClient, makeAccount, startTestApp } from '../support/app.js';
import { describeDb } from '../support/db.js';
import { readWorkbook } from '../support/files.js';
import { makeContract, makeProgram } from '../support/programs.js';
import { startSmtp } from '../support/smtp.js';

const MAIL = { publicUrl: 'https://lockstep.example', mailFrom: 'Lockstep <no-reply@lockstep.example>' };

describeDb('Scheduled reports', (context) => {
  async function setup() {
    const smtp = await startSmtp();
    // Wednesday 2 December 2026, 10:00 in Paris.
    const clock = context().clock as ManualClock;
    clock.set(new Date('2026-12-02T09:00:00Z'));
    const t = await startTestApp(context(), { ...MAIL, smtpRelayUrl: `smtp://127.0.0.1:${smtp.port}` });
    const brand = await makeAccount(t.ctx, 'BRAND');
    const other = await makeAccount(t.ctx, 'BRAND');
    const partner = await makeAccount(t.ctx, 'PARTNER');
    const program = await makeProgram(t.ctx, brand);
    await makeContract(t.ctx, partner, program);
    const drain = () => new Worker(t.ctx, { kinds: ['report-export', 'send-email'] }).drain();
    return {
      t,
      smtp,
      clock,
      brand,
      partner,
      program,
      drain,
      client: await logInClient(t.app, brand.adminEmail),
      otherClient: await logInClient(t.app, other.adminEmail),
      close: async () => {
        await t.close();
        await smtp.close();
      },
    };
  }

  const weekly = {
    Name: 'Weekly pending',
    Report: 'pending-payouts-actions',
    Format: 'xlsx',
    Filters: { state: 'PENDING' },
    DateRange: 'LAST_7_DAYS',
    Frequency: 'WEEKLY',
    DayOfWeek: 'MONDAY',
    TimeOfDay: '08:00',
    TimeZone: 'Europe/Paris',
  };

  it('runs at its time in its time zone with the last 7 days, and e-mails the workbook; the run and its file are in the history', async () => {
    const { t, smtp, clock, brand, partner, program, drain, client, close } = await setup();
    try {
      const created = await client.post('/api/v1/report-schedules', weekly);
      expect(created.statusCode).toBe(201);
      const schedule = created.json();
      // Monday 7 December, 08:00 in Paris (UTC+1).
      expect(schedule).toMatchObject({ Status: 'ACTIVE', NextRunDate: '2026-12-07T07:00:00.000Z', DayOfWeek: 'MONDAY', DateRange: 'LAST_7_DAYS' });
      // One sale inside the 7 days before that Monday (Thursday 3 December), one before them (Sunday 29 November).
      clock.set(new Date('2026-12-03T12:00:00Z'));
      const inside = await makeSaleAction(t.ctx, brand, partner, program, { amount: '40.00' });
      clock.set(new Date('2026-12-07T06:59:00Z'));
      expect(await runDueSchedules(t.ctx)).toBe(0);
      clock.set(new Date('2026-12-07T07:00:30Z'));
      expect(await runDueSchedules(t.ctx)).toBe(1);
      expect(await runDueSchedules(t.ctx)).toBe(0);
      await drain();
      // A session lasts 12 hours: log in again, five days later.
      const later = await logInClient(t.app, brand.adminEmail);

      expect(smtp.received).toHaveLength(1);
      const mail = smtp.received[0]!;
      expect(mail.to).toEqual([brand.adminEmail]);
      expect(mail.raw).toMatch(/Subject: Scheduled report: Weekly pending/);
      expect(mail.raw).toMatch(/filename=pending-payouts-actions-2026-12-07\.xlsx/);
      const runs = (await later.get(`/api/v1/report-schedules/${schedule.Id}/runs`)).json();
      expect(runs).toMatchObject({ Total: 1, Items: [{ RunDate: '2026-12-07T07:00:00.000Z', Status: 'DELIVERED', DeliveredTo: brand.adminEmail }] });
      const file = await later.get(runs.Items[0].DownloadUrl);
      expect(file.statusCode).toBe(200);
      const { sheet } = await readWorkbook(file.rawPayload);
      expect(sheet('Pending Payouts Actions').records.map((r) => String(r.Id))).toEqual([String(inside)]);
      // The file says which dates it holds: Monday 30 November to Monday 7 December, Paris midnights.
      expect(sheet('About').rows.flat().join(' ')).toContain('from = 2026-11-29T23:00:00.000Z');
      expect(sheet('About').rows.flat().join(' ')).toContain('to = 2026-12-06T23:00:00.000Z');
      const after = (await later.get(`/api/v1/report-schedules/${schedule.Id}`)).json();
      expect(after).toMatchObject({ LastRunDate: '2026-12-07T07:00:00.000Z', NextRunDate: '2026-12-14T07:00:00.000Z' });
    } finally {
      await close();
    }
  });

  it('pauses, resumes from now, edits and deletes; another brand sees none of it', async () => {
    const { t, clock, brand, client: first, otherClient, close } = await setup();
    try {
      const schedule = (await first.post('/api/v1/report-schedules', { ...weekly, Frequency: 'DAILY', DayOfWeek: null })).json();
      expect(schedule.NextRunDate).toBe('2026-12-03T07:00:00.000Z');
      let client = first;
      expectProblem(await otherClient.get(`/api/v1/report-schedules/${schedule.Id}`), 404);
      expectProblem(await otherClient.post(`/api/v1/report-schedules/${schedule.Id}/pause`), 404);
      expect((await otherClient.get('/api/v1/report-schedules')).json().Total).toBe(0);
      const paused = (await client.post(`/api/v1/report-schedules/${schedule.Id}/pause`)).json();
      expect(paused).toMatchObject({ Status: 'PAUSED', NextRunDate: null });
      clock.set(new Date('2026-12-05T12:00:00Z'));
      expect(await runDueSchedules(t.ctx)).toBe(0);
      client = await logInClient(t.app, brand.adminEmail);
      const resumed = (await client.post(`/api/v1/report-schedules/${schedule.Id}/resume`)).json();
      expect(resumed).toMatchObject({ Status: 'ACTIVE', NextRunDate: '2026-12-06T07:00:00.000Z' });
      const edited = await client.put(`/api/v1/report-schedules/${schedule.Id}`, { ...weekly, Frequency: 'MONTHLY', DayOfWeek: null, DayOfMonth: 'LAST', TimeOfDay: '23:30', DateRange: 'PREVIOUS_MONTH' });
      expect(edited.json()).toMatchObject({ Frequency: 'MONTHLY', DayOfMonth: 'LAST', NextRunDate: '2026-12-31T22:30:00.000Z' });
      expect((await client.delete(`/api/v1/report-schedules/${schedule.Id}`)).statusCode).toBe(204);
      expectProblem(await client.get(`/api/v1/report-schedules/${schedule.Id}`), 404);
    } finally {
      await close();
    }
  });

  it('refuses an invalid time zone, day or time, a date range on a report without dates, and dates given twice, naming each field', async () => {
    const { client, close } = await setup();
    try {
      const bad = expectProblem(await client.post('/api/v1/report-schedules', { ...weekly, TimeZone: 'Mars/Olympus', DayOfWeek: null, TimeOfDay: '25:00' }), 400);
      expect(bad.errors!.map((e) => e.field).sort()).toEqual(['DayOfWeek', 'TimeOfDay', 'TimeZone']);
      const monthly = expectProblem(await client.post('/api/v1/report-schedules', { ...weekly, Frequency: 'MONTHLY', DayOfWeek: null, DayOfMonth: 31 }), 400);
      expect(monthly.errors).toEqual([expect.objectContaining({ field: 'DayOfMonth' })]);
      expectProblem(await client.post('/api/v1/report-schedules', { ...weekly, DayOfWeek: 'FUNDAY' }), 400);
      expectProblem(await client.post('/api/v1/report-schedules', { ...weekly, Report: 'contract-history', Filters: {}, DateRange: 'LAST_7_DAYS' }), 400, /no date filters/);
      expectProblem(await client.post('/api/v1/report-schedules', { ...weekly, Filters: { from: '2026-11-01T00:00:00Z' } }), 400, /not both/);
      expectProblem(await client.post('/api/v1/report-schedules', { ...weekly, Filters: { colour: 'red' } }), 400, /not a filter/);
      expectProblem(await client.post('/api/v1/report-schedules', { ...weekly, Report: 'balance-movements' }), 404);
      expectProblem(await client.post('/api/v1/report-schedules', { ...weekly, Delivery: 'SFTP' }), 400, /SFTP/);
      expectProblem(await client.get('/api/v1/report-schedules/abc'), 400);
      expect((await client.get('/api/v1/report-schedules')).json().Total).toBe(0);
    } finally {
      await close();
    }
  });

  it('stops the schedule of a user who left the account, with the reason', async () => {
    const { t, clock, brand, close } = await setup();
    try {
      const member = await addMember(t.ctx, brand.id, 'USER');
      const memberClient = await logInClient(t.app, member.email);
      const schedule = (await memberClient.post('/api/v1/report-schedules', { ...weekly, Frequency: 'DAILY', DayOfWeek: null })).json();
      await removeMember(t.ctx, brand.actor, member.userId);
      clock.set(new Date('2026-12-03T07:01:00Z'));
      expect(await runDueSchedules(t.ctx)).toBe(0);
      const adminClient = await logInClient(t.app, brand.adminEmail);
      const stopped = (await adminClient.get(`/api/v1/report-schedules/${schedule.Id}`)).json();
      expect(stopped).toMatchObject({ Status: 'STOPPED', StoppedReason: 'Stopped: its user is no longer a member of the account.', NextRunDate: null });
      expectProblem(await adminClient.post(`/api/v1/report-schedules/${schedule.Id}/resume`), 409, /stopped/i);
    } finally {
      await close();
    }
  });

  it('makes one run when two instances run the due schedules at once', async () => {
    const { t, clock, brand, client: first, close } = await setup();
    try {
      const schedule = (await first.post('/api/v1/report-schedules', { ...weekly, Frequency: 'DAILY', DayOfWeek: null })).json();
      clock.set(new Date('2026-12-03T07:00:10Z'));
      const client = await logInClient(t.app, brand.adminEmail);
      const ran = await Promise.all([runDueSchedules(t.ctx), runDueSchedules(t.ctx)]);
      expect(ran.reduce((a, b) => a + b, 0)).toBe(1);
      expect((await client.get(`/api/v1/report-schedules/${schedule.Id}/runs`)).json().Total).toBe(1);
      const { rows } = await t.ctx.db.query<{ n: number }>(`select count(*)::int as n from report_exports`);
      expect(rows[0]!.n).toBe(1);
    } finally {
      await close();
    }
  });
});
