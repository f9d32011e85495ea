import type { ServiceContext } from '../../core/context.js';
import { requireAccountActor, type Actor } from '../accounts/actor.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { checkProgramNameOrThrow, checkTimeZoneOrThrow } from './create-program.js';
import { getOwnProgramOrThrow, type ProgramRow } from './queries.js';

/** The currency is not among the fields: it is fixed once the program exists. */
export async function updateProgram(
  ctx: ServiceContext,
  actor: Actor,
  programId: number,
  input: { name?: string; timeZone?: string; status?: 'ACTIVE' | 'INACTIVE' },
): Promise<ProgramRow> {
  const brand = requireAccountActor(actor, 'BRAND');
  const name = input.name === undefined ? undefined : checkProgramNameOrThrow(input.name);
  if (input.timeZone !== undefined) checkTimeZoneOrThrow(input.timeZone);
  return ctx.db.transaction(async (tx) => {
    const before = await getOwnProgramOrThrow(tx, brand.accountId, programId, true);
    await tx.query(
      `update programs set name = coalesce($2, name), time_zone = coalesce($3, time_zone), status = coalesce($4, status)
        where id = $1`,
      [programId, name ?? null, input.timeZone ?? null, input.status ?? null],
    );
    await recordAuditEvent(tx, {
      at: ctx.clock.now(),
      actorUserId: brand.userId,
      accountId: brand.accountId,
      action: 'program.updated',
      subject: `program:${programId}`,
      detail: { before: { name: before.name, timeZone: before.timeZone, status: before.status }, after: input },
    });
    return getOwnProgramOrThrow(tx, brand.accountId, programId);
  });
}
