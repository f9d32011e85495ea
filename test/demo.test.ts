/**
 * The demo's support tickets and its account-closure walk (issue 15, items 1 and 6), as
 * `npm start` loads them: open tickets of several kinds made through the tickets module,
 * one in review after a reply each way; Taylor Trail lands in Trail Blog and is also an
 * admin of the two small partner accounts to close in one sitting, whose closure
 * eligibility is blocked only by what the walk clears (the contract in force, the
 * available balance), each with a manual paystub possible.
 */
import { expect, it } from 'vitest';
import { ManualClock } from '../src/core/clock.js';
import { seedDemo } from '../src/demo/seed-demo.js';
import { closureEligibility, type ClosureEligibility } from '../src/flows/closure-eligibility.js';
import { landingAccountId, lastAccountIdOf } from '../src/modules/accounts/last-account.js';
import { findUserByEmail, listMembershipsOfUser } from '../src/modules/accounts/queries.js';
import { listTicketMessages, listTickets } from '../src/modules/tickets/queries.js';
import { configureTestPayouts } from './payouts/support.js';
import { describeDb } from './support/db.js';

const NOW = new Date('2026-12-03T12:00:00Z');

describeDb(
  'demo tickets and closure walk',
  (db) => {
    // The context is one test's (a fresh schema each): the demo is seeded once, in one test, and checked in parts.
    const ids = new Map<string, number>();
    const id = (name: string) => ids.get(name)!;
    it('seeds tickets, Taylor Trail\'s accounts and the two small accounts to close as the walk needs them', async () => {
      configureTestPayouts({ USD: 2500n, EUR: 2000n, GBP: 2000n, CAD: 3000n });
      await seedDemo({ db: db().db, clock: new ManualClock(NOW) });
      const { rows } = await db().db.query<{ id: number; name: string }>('select id, name from accounts');
      for (const row of rows) ids.set(row.name, row.id);
      await openTickets();
      await taylorsAccounts();
      await closureOfTheSmallAccounts();
    }, 300_000);

    /** Open tickets of several kinds on real actions, one in review after a reply each way. */
    async function openTickets() {
      const sql = db().db;
      const queue = await listTickets(sql, { type: 'operator', userId: 0 }, { page: 1, pageSize: 50 }, NOW);
      const tickets = queue.items.map((t) => ({ type: t.type, status: t.status, account: t.accountName, actions: t.actionIds.length }));
      expect(tickets).toEqual([
        { type: 'GENERAL', status: 'OPEN', account: 'Deal Hunter Media', actions: 0 },
        { type: 'MANUAL_PAYSTUB', status: 'IN_REVIEW', account: 'Style Creator', actions: 0 },
        { type: 'REATTRIBUTION', status: 'OPEN', account: 'Acme Outdoor', actions: 2 },
        { type: 'CPC_REVERSAL', status: 'OPEN', account: 'Acme Outdoor', actions: 3 },
      ]);
      const [, paystub, reattribution, cpc] = queue.items;
      expect(paystub!.request).toEqual({ currency: 'GBP' });
      expect((await listTicketMessages(sql, paystub!.id)).map((m) => m.authorKind)).toEqual(['ACCOUNT', 'OPERATOR', 'ACCOUNT', 'OPERATOR']);
      expect(reattribution!.request).toMatchObject({ toPartnerAccountId: id('Style Creator'), reason: 'CREDITED_DIFFERENT_MP' });
      // The actions named are Deal Hunter Media's, with Acme Outdoor, still pending (what the operations take): sales, then clicks.
      const { rows } = await sql.query<{ id: string; kind: string; state: string; partner: number; brand: number }>(
        `select id::text, event_kind as kind, state, partner_account_id as partner, brand_account_id as brand from actions where id = any($1::bigint[]) order by id`,
        [[...reattribution!.actionIds, ...cpc!.actionIds]],
      );
      expect(rows).toHaveLength(5);
      expect(rows.every((r) => r.state === 'PENDING' && r.partner === id('Deal Hunter Media') && r.brand === id('Acme Outdoor'))).toBe(true);
      expect(rows.filter((r) => reattribution!.actionIds.includes(r.id)).map((r) => r.kind)).toEqual(['SALE', 'SALE']);
      expect(rows.filter((r) => cpc!.actionIds.includes(r.id)).map((r) => r.kind)).toEqual(['CLICK', 'CLICK', 'CLICK']);
      expect((await listTicketMessages(sql, cpc!.id))[0]!.attachments.map((a) => a.fileName)).toEqual(['bot-clicks.csv']);
      // None names Trail Blog or the accounts to close.
      expect(queue.items.flatMap((t) => t.accountIds)).not.toEqual(expect.arrayContaining([id('Trail Blog')]));
      expect(queue.items.flatMap((t) => t.accountIds).some((a) => [id('Summit Stories'), id('Switchback Shorts')].includes(a))).toBe(false);
    }

    /** Taylor Trail lands in Trail Blog and also administers the two small accounts to close. */
    async function taylorsAccounts() {
      const sql = db().db;
      const taylor = (await findUserByEmail(sql, 'partner@trail.test'))!;
      const memberships = await listMembershipsOfUser(sql, taylor.id);
      expect(memberships.map((m) => [m.accountName, m.role])).toEqual([
        ['Style Creator', 'USER'],
        ['Summit Stories', 'ADMIN'],
        ['Switchback Shorts', 'ADMIN'],
        ['Trail Blog', 'ADMIN'],
      ]);
      expect(landingAccountId(memberships, await lastAccountIdOf(sql, taylor.id))).toBe(id('Trail Blog'));
      // Summit Stories keeps its own admin (the closure spec's login).
      const summitAdmins = await sql.query<{ email: string }>(
        `select u.email from memberships m join users u on u.id = m.user_id where m.account_id = $1 and m.role = 'ADMIN' order by u.email`,
        [id('Summit Stories')],
      );
      expect(summitAdmins.rows.map((r) => r.email)).toEqual(['partner@summit.test', 'partner@trail.test']);
    }

    /**
     * Switchback Shorts is blocked by its contract in force and its available balance (a
     * manual paystub possible); Summit Stories, its contract already expired, only by its
     * available balance, which a manual paystub cannot pay (the wire fee leaves no
     * remainder): one forfeit away from closable.
     */
    async function closureOfTheSmallAccounts() {
      const [summit, shorts] = await closureEligibility(db().db, [id('Summit Stories'), id('Switchback Shorts')], NOW);
      /** Blocked by the contract with Acme Outdoor US and the USD available, nothing else: no funds on their way, nothing overdue, nothing pending. */
      const expectContractAndBalanceOnly = (
        account: ClosureEligibility | undefined,
        expected: {
          name: string;
          contract: boolean;
          available: string;
          availableMinor: bigint;
          thresholdMinor: bigint;
          paystub: { possible: boolean; method: string; feeMinor: bigint | null; netMinor: bigint | null; refusal: string | null };
        },
      ) => {
        expect(account).toMatchObject({
          name: expected.name,
          eligible: false,
          activeContracts: expected.contract ? [expect.objectContaining({ programName: 'Acme Outdoor US' })] : [],
          funds: [
            {
              currency: 'USD',
              availableMinor: expected.availableMinor,
              paymentPendingMinor: 0n,
              overdueMinor: 0n,
              thresholdMinor: expected.thresholdMinor,
              manualPaystub: expected.paystub.refusal === null ? expected.paystub : { ...expected.paystub, refusal: expect.stringMatching(expected.paystub.refusal) },
            },
          ],
          overdueFrom: [],
          pendingActions: { count: 0, payouts: [] },
        });
        expect(account!.blockers).toEqual([
          ...(expected.contract ? ['1 contract(s) still in force (Acme Outdoor US): expire them from Contract History.'] : []),
          `${expected.available} USD is available: withdraw it (a manual paystub) or forfeit it.`,
        ]);
      };
      expectContractAndBalanceOnly(summit, {
        name: 'Summit Stories',
        contract: false,
        available: '6.00',
        availableMinor: 600n,
        thresholdMinor: 5000n,
        paystub: { possible: false, method: 'BANK_TRANSFER', feeMinor: null, netMinor: null, refusal: 'does not cover the WIRE fee of 25.00 USD and leave a remainder' },
      });
      expectContractAndBalanceOnly(shorts, {
        name: 'Switchback Shorts',
        contract: true,
        available: '18.40',
        availableMinor: 1840n,
        thresholdMinor: 5000n,
        paystub: { possible: true, method: 'EFT', feeMinor: 0n, netMinor: 1840n, refusal: null },
      });
    }
  },
  { kinds: ['pglite'] },
);
