import type { ServiceContext } from '../../core/context.js';
import { conflict, invalid } from '../../core/errors.js';
import { credentialIdOf, requireAccountActor, type Actor } from '../accounts/actor.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { getOwnProgramOrThrow, type EventTypeKind, type EventTypeRow, type ReturnsProcessing } from './queries.js';

export async function createEventType(
  ctx: ServiceContext,
  actor: Actor,
  programId: number,
  input: { name: string; kind: EventTypeKind; returnsProcessing?: ReturnsProcessing },
): Promise<EventTypeRow> {
  const brand = requireAccountActor(actor, 'BRAND');
  const name = input.name.trim();
  if (!name || name.length > 100) throw invalid('The event type name must have 1 to 100 characters.');
  return ctx.db.transaction(async (tx) => {
    // Locking the program serializes event-type changes, so the checks below are exact.
    await getOwnProgramOrThrow(tx, brand.accountId, programId, true);
    const clash = await tx.query<{ kind: string; name: string }>(
      `select kind, name from event_types where program_id = $1 and (lower(name) = lower($2) or ($3 = 'CLICK' and kind = 'CLICK'))`,
      [programId, name, input.kind],
    );
    if (clash.rows.some((row) => row.kind === 'CLICK' && input.kind === 'CLICK')) {
      throw conflict(`Program ${programId} already has a CLICK event type; a program has at most one.`);
    }
    if (clash.rows.length) throw conflict(`Program ${programId} already has an event type named "${name}".`);
    const { rows } = await tx.query<EventTypeRow>(
      `insert into event_types (program_id, name, kind, returns_processing, created_at) values ($1, $2, $3, $4, $5)
       returning id, program_id as "programId", name, kind, returns_processing as "returnsProcessing", created_at as "createdAt"`,
      [programId, name, input.kind, input.returnsProcessing ?? 'API', ctx.clock.now()],
    );
    await recordAuditEvent(tx, {
      at: ctx.clock.now(),
      actorUserId: brand.userId,
      actorCredentialId: credentialIdOf(brand),
      accountId: brand.accountId,
      action: 'event_type.created',
      subject: `event_type:${rows[0]!.id}`,
      detail: input,
    });
    return rows[0]!;
  });
}
