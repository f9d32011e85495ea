import type { ServiceContext } from '../../core/context.js';
import { conflict, notFound } from '../../core/errors.js';
import { requireAccountActor, type Actor } from '../accounts/actor.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { getVisibleLinkOrThrow, type LinkRow } from './queries.js';

/**
 * A partner disables one of its links: from then on a click answers "not found" and
 * records nothing. Disabling is final. The update is a compare-and-set on "not yet
 * disabled", so of two disables at once exactly one succeeds.
 *
 * Instances cache links for a short time (LINK_CACHE_TTL_MS): the instance that
 * disables a link forgets it at once, the others within that time.
 */
export async function disableLink(ctx: ServiceContext, actor: Actor, linkId: number): Promise<LinkRow> {
  const partner = requireAccountActor(actor, 'PARTNER');
  const now = ctx.clock.now();
  return ctx.db.transaction(async (tx) => {
    const link = await getVisibleLinkOrThrow(tx, partner, linkId, ctx.clock.now());
    if (link.partnerAccountId !== partner.accountId) throw notFound(`Tracking link ${linkId} does not exist in this account.`);
    if (link.status === 'DISABLED') {
      throw conflict(`Tracking link ${linkId} was disabled on ${link.disabledAt?.toISOString()}; it cannot be disabled again.`);
    }
    const { rowCount } = await tx.query('update tracking_links set disabled_at = $2 where id = $1 and disabled_at is null', [
      linkId,
      now,
    ]);
    if (!rowCount) throw conflict(`Tracking link ${linkId} was disabled by someone else a moment ago.`);
    await recordAuditEvent(tx, {
      at: now,
      actorUserId: partner.userId,
      accountId: partner.accountId,
      action: 'tracking_link.disabled',
      subject: `tracking_link:${linkId}`,
      detail: { code: link.code },
    });
    return getVisibleLinkOrThrow(tx, partner, linkId, ctx.clock.now());
  });
}
