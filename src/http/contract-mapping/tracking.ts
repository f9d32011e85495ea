import type { LINK_SORTS } from '../contract/enums.js';
import type { TrackingLink } from '../contract/tracking.js';
import type { LinkRow } from '../../modules/tracking/queries.js';
import { isoOrNull } from './common.js';

/** The link list's sort fields, as the API names them, to the service's keys. */
export const LINK_SORT_KEYS = {
  Id: 'id',
  CreatedDate: 'createdAt',
  Label: 'label',
  CampaignName: 'programName',
  MediaPartnerName: 'partnerName',
} as const satisfies Record<(typeof LINK_SORTS)[number], string>;

export function toLinkDto(row: LinkRow, publicUrl: string): TrackingLink {
  return {
    Id: row.id,
    Code: row.code,
    TrackingUrl: `${publicUrl}/c/${row.code}`,
    CampaignId: row.programId,
    CampaignName: row.programName,
    MediaPartnerId: row.partnerAccountId,
    MediaPartnerName: row.partnerName,
    LandingUrl: row.landingUrl,
    Label: row.label,
    Status: row.status,
    ClickCount: row.clickCount,
    LandingAllowed: row.landingAllowed,
    EffectiveState: row.effectiveState,
    CreatedDate: row.createdAt.toISOString(),
    DisabledDate: isoOrNull(row.disabledAt),
  };
}
