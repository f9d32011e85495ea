import type { ServiceContext } from '../../core/context.js';
import { invalid } from '../../core/errors.js';
import { isValidTimeZone } from '../../core/time-zone.js';
import { isCurrencyCode } from '../../money/index.js';
import { credentialIdOf, requireAccountActor, type Actor } from '../accounts/actor.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { normalizeLandingDomainsOrThrow, normalizeWebsiteUrlOrThrow } from './landing-domains.js';
import { getOwnProgramOrThrow, type ProgramRow } from './queries.js';

export function checkProgramNameOrThrow(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw invalid('The program name must not be empty.');
  if (trimmed.length > 200) throw invalid('The program name must have at most 200 characters.');
  return trimmed;
}

export function checkTimeZoneOrThrow(timeZone: string): string {
  if (!isValidTimeZone(timeZone)) {
    throw invalid(`"${timeZone}" is not a known IANA time zone (for example "America/New_York").`);
  }
  return timeZone;
}

export interface CreateProgramInput {
  name: string;
  currency: string;
  timeZone: string;
  websiteUrl?: string | null;
  /** Left out: the website's host alone (none without a website, so no link can be made yet). */
  landingDomains?: string[];
}

export async function createProgram(ctx: ServiceContext, actor: Actor, input: CreateProgramInput): Promise<ProgramRow> {
  const brand = requireAccountActor(actor, 'BRAND');
  const name = checkProgramNameOrThrow(input.name);
  if (!isCurrencyCode(input.currency)) throw invalid(`"${input.currency}" is not a supported ISO 4217 currency code.`);
  checkTimeZoneOrThrow(input.timeZone);
  const website = input.websiteUrl == null ? null : normalizeWebsiteUrlOrThrow(input.websiteUrl);
  const landingDomains =
    input.landingDomains !== undefined ? normalizeLandingDomainsOrThrow(input.landingDomains) : website ? [website.host] : [];
  return ctx.db.transaction(async (tx) => {
    const { rows } = await tx.query<{ id: number }>(
      `insert into programs (brand_account_id, name, currency, time_zone, website_url, landing_domains, created_at)
       values ($1, $2, $3, $4, $5, $6, $7) returning id`,
      [brand.accountId, name, input.currency, input.timeZone, website?.url ?? null, landingDomains, ctx.clock.now()],
    );
    const programId = rows[0]!.id;
    await recordAuditEvent(tx, {
      at: ctx.clock.now(),
      actorUserId: brand.userId,
      actorCredentialId: credentialIdOf(brand),
      accountId: brand.accountId,
      action: 'program.created',
      subject: `program:${programId}`,
      detail: { ...input, websiteUrl: website?.url ?? null, landingDomains },
    });
    return getOwnProgramOrThrow(tx, brand.accountId, programId);
  });
}
