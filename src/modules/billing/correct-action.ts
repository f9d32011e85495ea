import type { ServiceContext } from '../../core/context.js';
import { conflict, invalid, notFound } from '../../core/errors.js';
import { formatMinor, MoneyError, parseAmountMinorOrThrow } from '../../money/index.js';
import { recordResourceEvents } from '../../outbox/resources.js';
import { requireOperator, type Actor } from '../accounts/actor.js';
import { lockActions } from '../actions/queries.js';
import type { ChangeReasonCode } from '../actions/types.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { postTransfers } from '../ledger/post-transfers.js';
import { type CorrectionRow, loadCorrections } from './corrections.js';

export interface CorrectionInput {
  /** Signed decimal in the action's currency: "5.00" pays the partner more (billed to the brand), "-5.00" claws back. */
  amount: string;
  /** When given, must be the action's currency. */
  currency?: string;
  reason: ChangeReasonCode;
  note?: string;
}

/** The longest note a correction keeps. */
export const MAX_CORRECTION_NOTE = 500;

/**
 * A post-lock correction (an operator's; the tickets issue will make it a ticket's
 * operation): "a locked action is never edited; a correction after the lock is a new,
 * separate adjustment". The action row is locked (so two corrections of one action
 * apply one after the other) and read, never changed. The correction is its own row
 * (who, when, why, the signed amount), posted to the ledger at once like the lock it
 * adjusts (more: BRAND_PAYABLE → PARTNER_PAYMENT_PENDING; a clawback the other way),
 * billed on the brand's next statement as a line of its own, cleared with that statement
 * and then paid with the partner's balance. A clawback may take back at most what the
 * action still pays (its payout plus its earlier corrections): the action's net never goes
 * below zero. It may exceed what the partner still has: a paid-out action's clawback
 * makes the available balance go below zero when it clears, and later earnings net it
 * (no paystub pays a balance below the minimum).
 */
export async function correctLockedAction(ctx: ServiceContext, actor: Actor, actionId: bigint, input: CorrectionInput): Promise<CorrectionRow> {
  const operator = requireOperator(actor);
  const note = input.note?.trim() ?? '';
  if (note.length > MAX_CORRECTION_NOTE) throw invalid(`Note: at most ${MAX_CORRECTION_NOTE} characters (got ${note.length}).`);
  const now = ctx.clock.now();
  return ctx.db.transaction(async (tx) => {
    const action = (await lockActions(tx, [actionId], null)).get(actionId);
    if (!action) throw notFound(`Action ${actionId} does not exist.`);
    if (input.currency !== undefined && input.currency !== action.currency) {
      throw invalid(`Currency: action ${actionId} is in ${action.currency}; a correction is in the action's currency (got ${input.currency}).`);
    }
    let amountMinor: bigint;
    try {
      amountMinor = parseAmountMinorOrThrow(input.amount, action.currency, { allowNegative: true });
    } catch (error) {
      if (error instanceof MoneyError) throw invalid(`Amount: ${error.message}`);
      throw error;
    }
    if (amountMinor === 0n) throw invalid('Amount: a correction is more or less than zero ("5.00" pays the partner more, "-5.00" claws back).');
    if (action.state !== 'APPROVED') {
      throw conflict(
        action.state === 'PENDING'
          ? `Action ${actionId} is not locked yet; change it with modify, reverse or reject-item instead of a correction.`
          : `Action ${actionId} is reversed; it pays nothing, so there is nothing to correct.`,
      );
    }
    const { rows: net } = await tx.query<{ corrected: bigint }>(
      'select coalesce(sum(amount_minor), 0)::bigint as corrected from action_corrections where action_id = $1',
      [actionId.toString()],
    );
    const netMinor = action.payoutMinor + net[0]!.corrected;
    if (netMinor + amountMinor < 0n) {
      throw conflict(
        `Action ${actionId} pays ${formatMinor(netMinor, action.currency)} ${action.currency} after its corrections; a clawback may take back ` +
          `at most that much (got ${formatMinor(amountMinor, action.currency)}).`,
      );
    }
    // Due under the action's own payment schedule, counted from the month of the correction
    // (the month whose statement bills it) instead of the month of the lock.
    const { rows } = await tx.query<{ id: bigint }>(
      `insert into action_corrections (action_id, brand_account_id, partner_account_id, program_id, currency, amount_minor, reason, note,
                                       created_by_user_id, created_at, due_at)
       select a.id, a.brand_account_id, a.partner_account_id, a.program_id, a.currency, $2, $3, $4, $5, $6,
              coalesce(
                ((a.payment_due_at at time zone p.time_zone)
                  + (date_trunc('month', $6::timestamptz at time zone p.time_zone) - date_trunc('month', a.locked_at at time zone p.time_zone))::interval
                 ) at time zone p.time_zone,
                ((date_trunc('month', $6::timestamptz at time zone p.time_zone) + interval '2 months') at time zone p.time_zone) - interval '1 second')
         from actions a join programs p on p.id = a.program_id where a.id = $1
       returning id`,
      [actionId.toString(), amountMinor.toString(), input.reason, note === '' ? null : note, operator.userId, now],
    );
    const id = rows[0]!.id;
    const more = amountMinor > 0n;
    const brand = { code: 'BRAND_PAYABLE' as const, ownerAccountId: action.brandAccountId };
    const partner = { code: 'PARTNER_PAYMENT_PENDING' as const, ownerAccountId: action.partnerAccountId };
    await postTransfers(tx, [
      {
        debit: more ? brand : partner,
        credit: more ? partner : brand,
        amountMinor: more ? amountMinor : -amountMinor,
        currency: action.currency,
        kind: 'ACTION_CORRECTED',
        actionId,
        reference: `correction:${id}`,
        at: now,
      },
    ]);
    await recordAuditEvent(tx, {
      at: now,
      actorUserId: operator.userId,
      accountId: action.brandAccountId,
      action: 'action.corrected',
      subject: `action:${actionId}`,
      detail: { correctionId: id.toString(), amountMinor: amountMinor.toString(), currency: action.currency, reason: input.reason },
    });
    await recordResourceEvents(tx, 'correction', [{ id, type: 'correction.created' }], now);
    return (await loadCorrections(tx, [id]))[0]!;
  });
}
