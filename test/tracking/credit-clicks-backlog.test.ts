import { expect, it } from 'vitest';
import { LoadGenerator } from '../../bench/click-redirect.js';
import { createLink } from '../../src/modules/tracking/create-link.js';
import { creditClicks } from '../../src/modules/tracking/credit-clicks.js';
import { makeAccount, startTestApp } from '../support/app.js';
import { describePostgres } from '../support/db.js';
import { makeContract, makeProgram } from '../support/programs.js';

const BACKLOG = Number(process.env.CLICK_BACKLOG ?? 1_000_000);
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * The issue 18 test: a backlog of a million uncredited clicks over two days, credited by
 * one run of the job while the redirect is under load (a load generator in its own process
 * on the app's socket). Each click is counted once, under its outcome; each contract's CPC
 * actions (one per day) hold exactly its clicks and pay exactly their per-click payouts;
 * every redirect answered during the run has its committed click, which the run leaves for
 * the next one (younger than the lag).
 */
describePostgres('crediting a backlog of a million clicks under load', (db) => {
  it(
    `credits ${BACKLOG.toLocaleString('en-US')} clicks once each, with the redirect under load, and the payouts sum per contract`,
    async () => {
      const t = await startTestApp(db());
      const { ctx } = t;
      let closed = false;
      const close = async () => {
        if (!closed) await t.close();
        closed = true;
      };
      try {
        const brand = await makeAccount(ctx, 'BRAND');
        const programs = [
          { program: await makeProgram(ctx, brand, { timeZone: 'UTC' }), perClickMinor: 5n },
          { program: await makeProgram(ctx, brand, { timeZone: 'UTC', fixed: { lead: '2.00', click: '0.07' } }), perClickMinor: 7n },
        ];
        const links: Array<{ id: number; code: string; programId: number; partnerId: number; perClickMinor: bigint | null }> = [];
        for (let i = 0; i < 10; i++) {
          const partner = await makeAccount(ctx, 'PARTNER');
          for (const { program, perClickMinor } of programs) {
            await makeContract(ctx, partner, program);
            const link = await createLink(ctx, partner.actor, { programId: program.id, landingUrl: 'https://shop.example/landing' });
            links.push({ id: link.id, code: link.code, programId: program.id, partnerId: partner.id, perClickMinor });
          }
        }
        // A partner without a contract: its clicks earn nothing (NO_CONTRACT).
        const stranger = await makeAccount(ctx, 'PARTNER');
        const { rows: strangerLink } = await ctx.db.query<{ id: number }>(
          `insert into tracking_links (code, partner_account_id, program_id, landing_url, created_at)
           values ('strangerlink01', $1, $2, 'https://shop.example/landing', $3) returning id`,
          [stranger.id, programs[0]!.program.id, ctx.clock.now()],
        );
        links.push({ id: strangerLink[0]!.id, code: 'strangerlink01', programId: programs[0]!.program.id, partnerId: stranger.id, perClickMinor: null });
        // The contracts began three days ago; the backlog runs from two days ago to two minutes ago.
        const now = ctx.clock.now().getTime();
        await ctx.db.query(`update contracts set start_at = $1`, [new Date(now - 3 * 86_400_000)]);
        const from = now - 2 * 86_400_000;
        const span = 2 * 86_400_000 - 120_000;
        // Real time-ordered click ids (codes.ts): 8 base62 characters of the millisecond, then 14 random ones.
        await ctx.db.query(
          `insert into clicks (click_id, link_id, program_id, partner_account_id, at)
           select (select string_agg(substr($5, ((c.ms / d.p) % 62)::int + 1, 1), '' order by d.p desc)
                     from unnest($6::bigint[]) as d(p)) || substr(md5(random()::text), 1, 14),
                  l.id, l.program_id, l.partner, to_timestamp(c.ms / 1000.0)
             from (select g, $2::bigint + (g::bigint * $3::bigint) / $1::bigint as ms from generate_series(0, $1::int - 1) g) c
             join unnest($4::int[], $7::int[], $8::int[]) with ordinality as l(id, program_id, partner, n)
               on l.n = 1 + c.g % array_length($4::int[], 1)`,
          [
            BACKLOG,
            from,
            span,
            links.map((l) => l.id),
            ALPHABET,
            Array.from({ length: 8 }, (_, i) => (62n ** BigInt(7 - i)).toString()),
            links.map((l) => l.programId),
            links.map((l) => l.partnerId),
          ],
        );
        await ctx.db.query('analyze clicks');
        const perLink = Math.floor(BACKLOG / links.length);
        const expectedOf = (index: number) => perLink + (index < BACKLOG % links.length ? 1 : 0);

        await t.app.listen({ port: 0, host: '127.0.0.1' });
        const address = t.app.server.address();
        if (!address || typeof address === 'string') throw new Error('no port');
        const load = new LoadGenerator();
        let result: Awaited<ReturnType<typeof creditClicks>>;
        let seconds: number;
        let redirects: number;
        try {
          const loading = load.run({ port: address.port, path: `/c/${links[0]!.code}`, connections: 32, warmupMs: 500, durationMs: 8_000 });
          await new Promise((resolve) => setTimeout(resolve, 700));
          const started = performance.now();
          result = await creditClicks(ctx);
          seconds = (performance.now() - started) / 1_000;
          const report = await loading;
          redirects = report.statusCounts['302'] ?? 0;
          expect(Object.keys(report.statusCounts)).toEqual(['302']);
          expect(report.errors).toBe(0);
        } finally {
          load.stop();
        }
        console.info(
          `credit-clicks: ${BACKLOG} clicks in ${seconds.toFixed(1)} s = ${Math.round(BACKLOG / seconds).toLocaleString('en-US')} clicks/s, ` +
            `with ${redirects} redirects answered meanwhile (this machine is shared: the rate is for information)`,
        );

        const noContract = expectedOf(links.length - 1);
        expect(result).toEqual({ credited: BACKLOG - noContract, notCredited: noContract, ran: true });
        const { rows: counted } = await ctx.db.query<{ partner: number; outcome: string; clicks: string }>(
          'select partner_account_id as partner, outcome, sum(clicks)::text as clicks from click_credits group by 1, 2',
        );
        expect(counted.reduce((sum, r) => sum + Number(r.clicks), 0)).toBe(BACKLOG);
        expect(counted.filter((r) => r.outcome !== 'CREDITED')).toEqual([{ partner: stranger.id, outcome: 'NO_CONTRACT', clicks: String(noContract) }]);
        const { rows: perContract } = await ctx.db.query<{ programId: number; partnerId: number; actions: number; clicks: string; payout: string }>(
          `select program_id as "programId", partner_account_id as "partnerId", count(*)::int as actions,
                  sum(click_count)::text as clicks, sum(payout_minor)::text as payout
             from actions where event_kind = 'CLICK' group by 1, 2`,
        );
        expect(perContract).toHaveLength(links.length - 1);
        for (const [index, link] of links.entries()) {
          if (link.perClickMinor === null) continue;
          const row = perContract.find((r) => r.programId === link.programId && r.partnerId === link.partnerId);
          const clicks = expectedOf(index);
          // Two days and two minutes back from noon: three calendar days (UTC), one action each.
          expect(row).toEqual({ programId: link.programId, partnerId: link.partnerId, actions: 3, clicks: String(clicks), payout: String(BigInt(clicks) * link.perClickMinor) });
        }
        // Every redirect committed its click before its 302 (warm-up included), and the run left them for the next.
        await close();
        const { rows: live } = await ctx.db.query<{ n: number }>('select count(*)::int as n from clicks where at >= $1', [new Date(now)]);
        expect(live[0]!.n).toBeGreaterThanOrEqual(redirects);
        const { rows: total } = await ctx.db.query<{ n: number }>('select count(*)::int as n from clicks');
        expect(total[0]!.n).toBe(BACKLOG + live[0]!.n);
      } finally {
        await close();
      }
    },
    240_000,
  );
});
