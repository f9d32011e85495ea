import type { ServiceContext } from '../core/context.js';
import { requireAccountActor, type AccountActor, type Actor } from '../modules/accounts/actor.js';
import { reversePendingActionsOfContractChunk } from '../modules/actions/apply-action-operation.js';
import type { ChangeReasonCode } from '../modules/actions/types.js';
import {
  checkMayReverseOnExpiryOrThrow,
  expireContractInTx,
  planExpiryOrThrow,
  type ExpireContractInput,
} from '../modules/contracts/expire-contract.js';
import { getContractOrThrow, type ContractRow } from '../modules/contracts/queries.js';
import { runNow } from '../worker/index.js';
import { defineFlow } from './flow.js';

/**
 * "Expire a contract and reverse all its pending actions": the contracts module ends the
 * contract, then the actions module reverses its pending actions through the state
 * machine, in chunks. Two modules, so a flow: the expiry and the flow's record commit
 * together in the request's transaction (a refusal is the request's answer), and the
 * reversals follow chunk by chunk, each chunk's reversals committed with the cursor that
 * records them. A crash anywhere resumes where the last commit left off: no pending action
 * is skipped and none is reversed twice.
 */

/** Reversals per chunk: one transaction each, well within the flow's lease. */
export const REVERSALS_PER_CHUNK = 500;

export interface ExpireAndReversePayload {
  contractId: number;
  /** Who asked: the brand's actor at the time of the request (the reversals are in its name). */
  actor: AccountActor;
  on?: string;
  reason: ChangeReasonCode;
}

export interface ExpireAndReverseState {
  /** The last action id looked at by the reversals, as text (ids are 64-bit). */
  afterId: string;
  reversed: number;
  refused: number;
}

export const expireAndReverseFlow = defineFlow<ExpireAndReversePayload, ExpireAndReverseState>(
  'expire-contract',
  [
    {
      name: 'expire-contract',
      async run(tx, { ctx, payload, state }) {
        const now = ctx.clock.now();
        const plan = planExpiryOrThrow(payload.actor, payload.on === undefined ? {} : { on: payload.on }, now);
        await expireContractInTx(tx, payload.actor, payload.contractId, plan, now);
        return { state, done: true };
      },
    },
    {
      name: 'reverse-pending-actions',
      async run(tx, { ctx, payload, state }) {
        const chunk = await reversePendingActionsOfContractChunk(
          ctx,
          tx,
          payload.actor,
          payload.contractId,
          BigInt(state.afterId),
          REVERSALS_PER_CHUNK,
          payload.reason,
        );
        return {
          state: { afterId: chunk.lastId.toString(), reversed: state.reversed + chunk.reversed, refused: state.refused + chunk.refused },
          done: chunk.done,
        };
      },
    },
  ],
  // A chunk takes well under a second: an instance that dies mid-flow hands it over 10 s later.
  { leaseMs: 10_000 },
);

export interface ExpiredWithReversals extends ContractRow {
  reversedActions: number;
  /** Pending actions that could not be reversed (cost-per-click actions need an operator). */
  unreversedActions: number;
  /** DONE, or RUNNING/QUEUED/FAILED when the reversals go on in the background (this process stopped waiting). */
  reversalState: string;
  /** The flow's work item, for the operator console. */
  reversalWorkItemId: string;
}

/**
 * The route's entry: expires the contract (in this request's transaction, with the
 * flow's record) and runs the reversals now, through the worker's machinery.
 */
export async function expireContractAndReversePendingActions(
  ctx: ServiceContext,
  actor: Actor,
  contractId: number,
  input: ExpireContractInput & { reason: ChangeReasonCode },
  options: { signal?: AbortSignal } = {},
): Promise<ExpiredWithReversals> {
  const account = requireAccountActor(actor);
  checkMayReverseOnExpiryOrThrow(account);
  const payload: ExpireAndReversePayload = {
    contractId,
    actor: account,
    reason: input.reason,
    ...(input.on === undefined ? {} : { on: input.on }),
  };
  const itemId = await ctx.db.transaction((tx) =>
    expireAndReverseFlow.start(tx, ctx, payload, { afterId: '0', reversed: 0, refused: 0 }, { firstSteps: 1 }),
  );
  const ran = await runNow(ctx, itemId, options.signal ? { signal: options.signal } : {});
  const progress = ran.progress as { state?: ExpireAndReverseState } | null;
  const contract = await getContractOrThrow(ctx.db, account, contractId, ctx.clock.now());
  return {
    ...contract,
    reversedActions: progress?.state?.reversed ?? 0,
    unreversedActions: progress?.state?.refused ?? 0,
    reversalState: ran.state,
    reversalWorkItemId: itemId.toString(),
  };
}
