/**
 * The values a report's filters name must still exist for the caller: a pinned report
 * whose program was deactivated, or whose partner is no partner of the brand, says so (404
 * naming the filter) instead of quietly showing nothing (issue 16, "a pinned report whose
 * filter values no longer exist").
 */
import type { ServiceContext } from '../../core/context.js';
import { notFound } from '../../core/errors.js';
import type { Actor } from '../../modules/accounts/actor.js';
import { listPartnersOfBrand } from '../../modules/contracts/queries.js';
import { getBrandEventTypeOrThrow } from '../../modules/programs/brand-event-types.js';
import { getOwnProgramOrThrow, getVisibleProgramOrThrow } from '../../modules/programs/queries.js';

export async function checkFilterValuesOrThrow(ctx: ServiceContext, actor: Actor, filters: Record<string, string>): Promise<void> {
  if (actor.type !== 'account') return;
  const brand = actor.accountKind === 'BRAND' ? actor.accountId : null;
  const id = (name: string) => (filters[name] ? Number(filters[name]) : null);
  const programId = id('programId');
  if (programId !== null) {
    try {
      if (brand !== null) await getOwnProgramOrThrow(ctx.db, brand, programId);
      else await getVisibleProgramOrThrow(ctx.db, actor, programId);
    } catch {
      throw notFound(`The filter programId names program ${programId}, which no longer exists or is not open to this account; change or remove the filter.`);
    }
  }
  const eventTypeId = id('actionTrackerId');
  if (eventTypeId !== null && brand !== null) {
    try {
      await getBrandEventTypeOrThrow(ctx.db, brand, eventTypeId);
    } catch {
      throw notFound(`The filter actionTrackerId names event type ${eventTypeId}, which is not an event type of this account; change or remove the filter.`);
    }
  }
  const partnerId = id('partnerId') ?? id('partnerAccountId');
  if (partnerId !== null && brand !== null) {
    const partners = await listPartnersOfBrand(ctx.db, brand, ctx.clock.now());
    if (!partners.some((p) => p.partnerAccountId === partnerId)) {
      throw notFound(`The partner filter names partner ${partnerId}, which has no contract with this account; change or remove the filter.`);
    }
  }
}
