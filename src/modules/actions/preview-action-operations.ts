import type { ServiceContext } from '../../core/context.js';
import { forbidden, invalid } from '../../core/errors.js';
import type { Actor } from '../accounts/actor.js';
import type { ActionOutcome } from './apply-action-operation.js';
import { loadActions, payoutRuleFor, type LoadedAction } from './queries.js';
import { performerOf, planOperation, type OperationRequest } from './transitions.js';
import type { ActionItem, ActionState } from './types.js';

/** An action's values after a planned change (or after each step of a sequence). */
export interface PlannedValues {
  state: ActionState;
  amountMinor: bigint;
  payoutMinor: bigint;
  items: ActionItem[] | null;
  reversalReason: string | null;
}

export type OperationPreview =
  | { ok: true; action: LoadedAction; before: PlannedValues; after: PlannedValues; steps: Array<PlannedValues & { op: OperationRequest['op'] }> }
  | (ActionOutcome & { ok: false; step?: number });

/**
 * A dry run of applyActionOperationSequence: the same requests planned by the same
 * transition table with the same contract terms, step after step on the action as each
 * step would leave it, and nothing written (no modification, no posting, no event, not
 * even a row lock). What it answers is what the real request would do if nothing changes
 * the action in between, and it is refused in the same words the real one would be.
 * Re-attribution is left out: its payout and dates come from another contract, read when
 * it is applied.
 */
export async function previewActionOperationSequence(
  ctx: ServiceContext,
  actor: Actor,
  actionId: bigint,
  requests: readonly OperationRequest[],
): Promise<OperationPreview> {
  const performer = performerOf(actor);
  if (!performer) throw forbidden('Partners cannot change actions; the brand approves, reverses and modifies them. Dispute through support.');
  if (requests.length === 0) throw invalid('Give at least one change.');
  if (requests.some((request) => request.op === 'REATTRIBUTE')) throw invalid('A re-attribution cannot be previewed.');
  const loaded = (await loadActions(ctx.db, [actionId], performer === 'BRAND' && actor.type === 'account' ? actor.accountId : null)).get(actionId);
  if (!loaded) {
    return { actionId: actionId.toString(), ok: false, refusal: 'not_found', message: `Action ${actionId} does not exist or is not visible to this account.` };
  }
  const now = ctx.clock.now();
  const rule = payoutRuleFor(loaded.terms, loaded.eventTypeId);
  const valuesOf = (a: LoadedAction): PlannedValues => ({
    state: a.state,
    amountMinor: a.amountMinor,
    payoutMinor: a.payoutMinor,
    items: a.items,
    reversalReason: a.reversalReason,
  });
  let current = loaded;
  const steps: Array<PlannedValues & { op: OperationRequest['op'] }> = [];
  for (const [step, request] of requests.entries()) {
    const plan = planOperation(current, request, { now, performer, rule });
    if (!plan.ok) return { actionId: actionId.toString(), ok: false, refusal: plan.refusal, message: plan.message, step };
    // What applying the plan writes to the action row (apply-action-operation's applyPlan).
    current = {
      ...current,
      state: plan.stateAfter,
      amountMinor: plan.amountMinor,
      payoutMinor: plan.payoutMinor,
      items: plan.items,
      reversalReason: plan.reversalReason,
      modificationCount: current.modificationCount + 1,
    };
    steps.push({ op: request.op, ...valuesOf(current) });
  }
  return { ok: true, action: loaded, before: valuesOf(loaded), after: valuesOf(current), steps };
}
