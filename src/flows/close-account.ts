import type { ServiceContext } from '../core/context.js';
import { conflict } from '../core/errors.js';
import type { Sql } from '../db/types.js';
import {
  eraseAccountAndUsers,
  lockAccountForClosure,
  markAccountClosed,
  noteClosure,
  peopleOfClosingAccount,
  personalValues,
  recordClosure,
} from '../modules/accounts/close-account.js';
import { scrubActionModifications } from '../modules/actions/scrub-modifications.js';
import { scrubAuditEvents } from '../modules/audit/scrub-audit.js';
import { expireContractsOfClosedAccount } from '../modules/contracts/expire-contract.js';
import { bankDetailValues, eraseBankDetails } from '../modules/payouts/erase-bank-details.js';
import { deletePinsOfClosedAccount } from '../modules/pins/erase-pins.js';
import { deleteExportsNamingAccount } from '../modules/reports/exports.js';
import { deleteSchedulesOfClosedAccount } from '../modules/reports/schedules.js';
import { eraseWebhooksOfClosedAccount } from '../modules/webhooks/erase.js';
import { eraseSftpAccessOfClosedAccount } from '../modules/sftp-access/erase-sftp-access.js';
import { eraseTicketPersonalData } from '../modules/tickets/erase-personal-data.js';
import { dropUnsentEmailsTo } from '../outbox/emails.js';
import { scrubOutboxEvents } from '../outbox/scrub-events.js';
import { runNow } from '../worker/index.js';
import { scrubWorkItems } from '../worker/scrub-work-items.js';
import { closureEligibility } from './closure-eligibility.js';
import { defineFlow } from './flow.js';
import { recordResourceEvents } from '../outbox/resources.js';

/**
 * Closing a partner account for good (the final review of a closure ticket): three steps
 * across the accounts, contracts, payouts, tickets, audit and outbox modules, as a flow.
 *
 * 1. `close`, in the operator's request: the account row locked, its eligibility checked
 *    again under that lock (a conversion being recorded holds the row until it commits,
 *    so the check sees its action), then the account CLOSED and the closure recorded. From
 *    that commit on its users no longer act for it, its links answer the expired-link
 *    page, its conversions are rejected.
 * 2. `expire-contracts`: any contract still open ends now, ACCOUNT_CLOSED.
 * 3. `erase-personal-data`, one transaction: every module scrubs the account's and its
 *    erased users' personal values from its own rows (tickets, audit trail, outbox events,
 *    webhook delivery logs, report exports that may name it, schedules, pins, unsent e-mails,
 *    work items, modification records, bank files), and then the
 *    sources go: bank details, users' names and e-mails, memberships, sessions, tokens,
 *    invitations, and the account's name (now "Closed partner #<id>"). The values are read
 *    inside that transaction and never written anywhere (not in the flow's progress), so
 *    a crash before its commit leaves everything to erase, and after it nothing.
 *
 * The flow's payload and progress hold ids and counts only.
 */
export interface CloseAccountPayload {
  accountId: number;
  operatorUserId: number;
  ticketId: string | null;
  /** Logins to delete with the account (the requester's, when the ticket asks). */
  deleteUserIds: number[];
}

export interface CloseAccountState {
  contractsExpired: number;
  usersErased: number;
}

export const closeAccountFlow = defineFlow<CloseAccountPayload, CloseAccountState>(
  'close-account',
  [
    {
      name: 'close',
      async run(tx, { ctx, payload, state }) {
        const now = ctx.clock.now();
        await lockAccountForClosure(tx, payload.accountId);
        const [eligibility] = await closureEligibility(tx, [payload.accountId], now);
        if (!eligibility?.eligible) {
          throw conflict(`Account ${payload.accountId} cannot be closed now: ${(eligibility?.blockers ?? ['it does not exist']).join(' ')}`, {
            accountId: payload.accountId,
            blockers: eligibility?.blockers ?? [],
          });
        }
        await markAccountClosed(tx, payload.accountId, now);
        await recordClosure(tx, { accountId: payload.accountId, ticketId: payload.ticketId, operatorUserId: payload.operatorUserId, at: now });
        await recordResourceEvents(tx, 'account', [{ id: payload.accountId, type: 'account.closed' }], now);
        return { state, done: true };
      },
    },
    {
      name: 'expire-contracts',
      async run(tx, { ctx, payload, state }) {
        const expired = await expireContractsOfClosedAccount(tx, payload.accountId, payload.operatorUserId, ctx.clock.now());
        await noteClosure(tx, payload.accountId, { contractsExpired: expired });
        return { state: { ...state, contractsExpired: expired }, done: true };
      },
    },
    {
      name: 'erase-personal-data',
      async run(tx, { ctx, payload, state }) {
        const erased = await erasePersonalData(tx, payload, ctx.clock.now());
        return { state: { ...state, usersErased: erased }, done: true };
      },
    },
  ],
  { leaseMs: 120_000 },
);

async function erasePersonalData(tx: Sql, payload: CloseAccountPayload, now: Date): Promise<number> {
  const people = await peopleOfClosingAccount(tx, payload.accountId, payload.deleteUserIds);
  const userIds = people.erase.map((u) => u.id);
  const emails = [...people.erase.map((u) => u.email), ...people.invitedEmails];
  const values = [...personalValues(people), ...(await bankDetailValues(tx, payload.accountId))];
  await eraseTicketPersonalData(tx, { accountId: payload.accountId, userIds, values });
  await scrubAuditEvents(tx, { accountId: payload.accountId, userIds, values, emails });
  await scrubOutboxEvents(tx, { accountId: payload.accountId, values });
  await dropUnsentEmailsTo(tx, emails);
  await scrubWorkItems(tx, values);
  await scrubActionModifications(tx, { partnerAccountId: payload.accountId, values });
  await eraseBankDetails(tx, payload.accountId, values);
  await deleteSchedulesOfClosedAccount(tx, payload.accountId);
  await deleteExportsNamingAccount(tx, payload.accountId);
  await deletePinsOfClosedAccount(tx, payload.accountId, userIds);
  await eraseWebhooksOfClosedAccount(tx, { accountId: payload.accountId, values }, now);
  await eraseSftpAccessOfClosedAccount(tx, payload.accountId, now);
  await eraseAccountAndUsers(tx, payload.accountId, people, now);
  await noteClosure(tx, payload.accountId, { usersErased: userIds.length, erasedAt: now });
  return userIds.length;
}

/**
 * Closes one account now: the first step in this call's transaction (its refusal, a 409
 * with the blockers, is the answer), the rest at once in this process through the
 * worker's machinery (a worker finishes it should this process stop).
 */
export async function closeAccount(ctx: ServiceContext, payload: CloseAccountPayload): Promise<void> {
  const itemId = await ctx.db.transaction(async (tx) => {
    const id = await closeAccountFlow.start(tx, ctx, payload, { contractsExpired: 0, usersErased: 0 }, { firstSteps: 1 });
    await noteClosure(tx, payload.accountId, { workItemId: id });
    return id;
  });
  await runNow(ctx, itemId);
}
