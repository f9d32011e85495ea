import type { ServiceContext } from '../../core/context.js';
import { forbidden, invalid } from '../../core/errors.js';
import { requireAccountActor, type Actor } from '../accounts/actor.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { listContractHistory } from '../contracts/queries.js';
import { hostOfUrl, isHostAllowed, landingDomainRefusal } from '../programs/landing-domains.js';
import { getLandingDomains, getVisibleProgramOrThrow } from '../programs/queries.js';
import { newLinkCode } from './codes.js';
import { normalizeLandingUrlOrThrow } from './landing-url.js';
import { getVisibleLinkOrThrow, type LinkRow } from './queries.js';
import { MAX_LINK_LABEL_LENGTH } from './types.js';

export { MAX_LINK_LABEL_LENGTH } from './types.js';

// With 71 random bits a collision is practically impossible; the retry covers it anyway.
const CODE_ATTEMPTS = 5;

export interface CreateLinkInput {
  programId: number;
  landingUrl: string;
  label?: string;
}

/**
 * A partner creates a tracking link for a program it has an active contract with, to a
 * landing page on one of the program's allowed landing domains. The contract is checked
 * when the link is made; a contract that expires later leaves the link working (clicks
 * are still counted, conversions earn nothing). The domains are checked again by the
 * click path, so a link the brand's new list leaves out stops redirecting.
 */
export async function createLink(ctx: ServiceContext, actor: Actor, input: CreateLinkInput): Promise<LinkRow> {
  const partner = requireAccountActor(actor, 'PARTNER');
  const landingUrl = normalizeLandingUrlOrThrow(input.landingUrl);
  const label = (input.label ?? '').trim();
  if (label.length > MAX_LINK_LABEL_LENGTH) {
    throw invalid(`The label is ${label.length} characters long; at most ${MAX_LINK_LABEL_LENGTH} are allowed.`);
  }
  const now = ctx.clock.now();
  return ctx.db.transaction(async (tx) => {
    const active = await listContractHistory(tx, partner, { programId: input.programId, status: 'ACTIVE', page: 1, pageSize: 1 }, now);
    if (active.total === 0) {
      // Say why precisely: no such program, never joined, or the contract has ended.
      await getVisibleProgramOrThrow(tx, partner, input.programId);
      const ended = await listContractHistory(
        tx,
        partner,
        { programId: input.programId, status: 'EXPIRED', page: 1, pageSize: 1, sort: 'endAt', order: 'desc' },
        now,
      );
      const last = ended.items[0];
      throw forbidden(
        last
          ? `Your contract with program ${input.programId} ended on ${last.endAt?.toISOString()} (${last.terminationReason}); accept the program's current terms to create new links.`
          : `This account has no active contract with program ${input.programId}; accept the program's terms (POST /api/v1/contracts) before creating links to it.`,
      );
    }
    // The active contract makes the program usable to this partner, even if it is inactive now.
    const landingDomains = (await getLandingDomains(tx, input.programId)) ?? [];
    const host = hostOfUrl(landingUrl) ?? '';
    if (!isHostAllowed(host, landingDomains)) throw landingDomainRefusal(input.programId, host, landingDomains);
    let linkId: number | undefined;
    for (let attempt = 0; attempt < CODE_ATTEMPTS && linkId === undefined; attempt++) {
      const { rows } = await tx.query<{ id: number }>(
        `insert into tracking_links (code, partner_account_id, program_id, landing_url, label, created_at)
         values ($1, $2, $3, $4, $5, $6) on conflict (code) do nothing returning id`,
        [newLinkCode(), partner.accountId, input.programId, landingUrl, label, now],
      );
      linkId = rows[0]?.id;
    }
    if (linkId === undefined) throw new Error(`No free link code after ${CODE_ATTEMPTS} attempts.`);
    await recordAuditEvent(tx, {
      at: now,
      actorUserId: partner.userId,
      accountId: partner.accountId,
      action: 'tracking_link.created',
      subject: `tracking_link:${linkId}`,
      detail: { programId: input.programId, landingUrl, label },
    });
    return getVisibleLinkOrThrow(tx, partner, linkId, ctx.clock.now());
  });
}
