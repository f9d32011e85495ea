/** Tracking links (partners create them, brands read them); the redirect /c/<code> itself answers no JSON. */
import { z } from 'zod';
import { LINK_SORTS } from './enums.js';
import { LINK_EFFECTIVE_STATES, LINK_STATUSES, MAX_LINK_LABEL_LENGTH } from '../../modules/tracking/types.js';
import { isoDate, pageQueryShape, rowId, rowIdText, sortQuery } from './common.js';

export const linkDto = z
  .object({
    Id: z.number().int(),
    Code: z.string(),
    TrackingUrl: z.string().describe('The URL to share: each visit is recorded, then redirected to LandingUrl with lsclickid appended'),
    CampaignId: z.number().int().describe('The program'),
    CampaignName: z.string(),
    MediaPartnerId: z.number().int().describe('The partner account'),
    MediaPartnerName: z.string(),
    LandingUrl: z.string(),
    Label: z.string(),
    Status: z.enum(LINK_STATUSES),
    ClickCount: z.number().int(),
    LandingAllowed: z
      .boolean()
      .describe("False when the landing URL's host is outside the program's allowed landing domains: visits get the not-found page and are not counted"),
    EffectiveState: z
      .enum(LINK_EFFECTIVE_STATES)
      .describe(
        'What a visit does now, the first that holds: DISABLED (error page, nothing recorded), PARTNER_CLOSED (expired-link page, nothing recorded), BLOCKED (LandingAllowed false), CONTRACT_EXPIRED (no contract in force with the program: clicks are counted, conversions earn nothing), ACTIVE',
      ),
    CreatedDate: isoDate,
    DisabledDate: isoDate.nullable(),
  })
  .meta({ id: 'TrackingLink' });
export type TrackingLink = z.infer<typeof linkDto>;


export const linksQuery = z
  .object({
    ...pageQueryShape,
    sort: sortQuery(LINK_SORTS),
    programId: rowIdText().optional(),
    status: z.enum(LINK_STATUSES).optional(),
  })
  .strict();

export const createLinkBody = z
  .object({
    CampaignId: rowId().describe('The program, with an active contract'),
    // The service gives the precise message for a URL that is too long; this only bounds the input.
    LandingUrl: z.string().max(10_000).describe("Absolute http(s) URL on one of the program's LandingDomains, at most 2,000 characters"),
    Label: z.string().max(MAX_LINK_LABEL_LENGTH).optional(),
  })
  .strict();
export type CreateLinkBody = z.infer<typeof createLinkBody>;
