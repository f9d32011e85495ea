import type { Sql } from '../../db/types.js';
import type { ActionState } from './types.js';

export interface ModificationRecord {
  actionId: bigint;
  seq: number;
  at: Date;
  actorKind: 'BRAND' | 'PARTNER' | 'OPERATOR' | 'SYSTEM';
  actorUserId: number | null;
  /** The API credential that made the change (null for a person in a session, and for the platform). */
  actorCredentialId?: number | null;
  operation: string;
  reason: string | null;
  stateBefore: ActionState | null;
  stateAfter: ActionState;
  amountBeforeMinor: bigint | null;
  amountAfterMinor: bigint;
  payoutBeforeMinor: bigint | null;
  payoutAfterMinor: bigint;
  detail?: Record<string, unknown> | null;
}

/** Who, when, why, before and after: one row per change, written with the change. */
export async function recordModifications(tx: Sql, records: readonly ModificationRecord[]): Promise<void> {
  if (records.length === 0) return;
  const str = (value: bigint | null) => (value === null ? null : value.toString());
  await tx.query(
    `insert into action_modifications
       (action_id, seq, at, actor_kind, actor_user_id, operation, reason, state_before, state_after,
        amount_before_minor, amount_after_minor, payout_before_minor, payout_after_minor, detail, actor_credential_id)
     select * from unnest($1::bigint[], $2::int[], $3::timestamptz[], $4::text[], $5::int[], $6::text[], $7::text[], $8::text[],
                          $9::text[], $10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[], $14::jsonb[], $15::int[])`,
    [
      records.map((r) => r.actionId.toString()),
      records.map((r) => r.seq),
      records.map((r) => r.at.toISOString()),
      records.map((r) => r.actorKind),
      records.map((r) => r.actorUserId),
      records.map((r) => r.operation),
      records.map((r) => r.reason),
      records.map((r) => r.stateBefore),
      records.map((r) => r.stateAfter),
      records.map((r) => str(r.amountBeforeMinor)),
      records.map((r) => r.amountAfterMinor.toString()),
      records.map((r) => str(r.payoutBeforeMinor)),
      records.map((r) => r.payoutAfterMinor.toString()),
      records.map((r) => (r.detail ? JSON.stringify(r.detail) : null)),
      records.map((r) => r.actorCredentialId ?? null),
    ],
  );
}
