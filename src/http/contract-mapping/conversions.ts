import type { Conversion, ConversionResult as ConversionResultDto } from '../contract/conversions.js';
import type { ConversionView } from '../../modules/conversions/list-conversions.js';
import type { ConversionResult, RejectReason } from '../../modules/conversions/types.js';
import { formatMinor } from '../../money/index.js';

export function toConversionResultDto(r: ConversionResult): ConversionResultDto {
  if ('message' in r) return { Index: r.index, Status: r.status, Message: r.message };
  return {
    Index: r.index,
    Status: r.status,
    Duplicate: r.duplicate,
    ConversionId: r.conversionId,
    ActionId: r.actionId,
    RejectReason: r.rejectReason,
  };
}

export function toConversionDto(c: ConversionView): Conversion {
  return {
    Id: c.id.toString(),
    CampaignId: c.programId,
    CampaignName: c.programName,
    ActionTrackerId: c.eventTypeId,
    EventTypeName: c.eventTypeName,
    OrderId: c.orderId,
    EventDate: c.eventAt.toISOString(),
    ClickId: c.clickId,
    MediaPartnerId: c.partnerAccountId,
    MediaPartnerName: c.partnerName,
    Amount: formatMinor(c.amountMinor, c.currency),
    Currency: c.currency,
    Status: c.status,
    RejectReason: c.rejectReason as RejectReason | null,
    ActionId: c.actionId?.toString() ?? null,
    CreatedDate: c.createdAt.toISOString(),
  };
}
