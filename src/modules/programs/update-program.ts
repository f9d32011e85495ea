import type { ServiceContext } from '../../core/context.js';
import { credentialIdOf, requireAccountActor, type Actor } from '../accounts/actor.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { checkProgramNameOrThrow, checkTimeZoneOrThrow } from './create-program.js';
import { normalizeLandingDomainsOrThrow, normalizeWebsiteUrlOrThrow } from './landing-domains.js';
import { getOwnProgramOrThrow, type ProgramRow } from './queries.js';

export interface UpdateProgramInput {
  name?: string;
  timeZone?: string;
  status?: 'ACTIVE' | 'INACTIVE';
  /** null clears it. */
  websiteUrl?: string | null;
  /** The whole new list; [] allows no landing URL at all. */
  landingDomains?: string[];
}

/**
 * The currency is not among the fields: it is fixed once the program exists.
 *
 * A change of the landing domains applies to existing links too: a link whose landing
 * URL falls outside them answers "Link not found" and records nothing, on every
 * instance within LINK_CACHE_TTL_MS (the click path caches the decision with the link),
 * and redirects again once its host is allowed again.
 */
export async function updateProgram(ctx: ServiceContext, actor: Actor, programId: number, input: UpdateProgramInput): Promise<ProgramRow> {
  const brand = requireAccountActor(actor, 'BRAND');
  const name = input.name === undefined ? undefined : checkProgramNameOrThrow(input.name);
  if (input.timeZone !== undefined) checkTimeZoneOrThrow(input.timeZone);
  const website = input.websiteUrl == null ? input.websiteUrl : normalizeWebsiteUrlOrThrow(input.websiteUrl);
  const givenDomains = input.landingDomains === undefined ? undefined : normalizeLandingDomainsOrThrow(input.landingDomains);
  return ctx.db.transaction(async (tx) => {
    const before = await getOwnProgramOrThrow(tx, brand.accountId, programId, true);
    // A program that allows no domain yet (one from before websites, with no links) gets its
    // new website's host, as a new program does; a list the brand has set is only changed by name.
    const landingDomains = givenDomains ?? (website && before.landingDomains.length === 0 ? [website.host] : undefined);
    await tx.query(
      `update programs set name = coalesce($2, name), time_zone = coalesce($3, time_zone), status = coalesce($4, status),
              website_url = case when $5::boolean then $6::text else website_url end,
              landing_domains = coalesce($7::text[], landing_domains)
        where id = $1`,
      [programId, name ?? null, input.timeZone ?? null, input.status ?? null, website !== undefined, website?.url ?? null, landingDomains ?? null],
    );
    const after = await getOwnProgramOrThrow(tx, brand.accountId, programId);
    await recordAuditEvent(tx, {
      at: ctx.clock.now(),
      actorUserId: brand.userId,
      actorCredentialId: credentialIdOf(brand),
      accountId: brand.accountId,
      action: 'program.updated',
      subject: `program:${programId}`,
      detail: {
        before: { name: before.name, timeZone: before.timeZone, status: before.status, websiteUrl: before.websiteUrl, landingDomains: before.landingDomains },
        after: {
          ...input,
          ...(website !== undefined ? { websiteUrl: after.websiteUrl } : {}),
          ...(landingDomains ? { landingDomains: after.landingDomains } : {}),
        },
      },
    });
    return after;
  });
}
