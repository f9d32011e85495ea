import type { BrandPartner, Contract } from '../contract/contracts.js';
import type { CONTRACT_SORTS } from '../contract/enums.js';
import type { BrandPartnerRow, ContractRow } from '../../modules/contracts/queries.js';
import { isoOrNull } from './common.js';
import { toTermsDto } from './programs.js';

/** Contract History's sort fields, as the API names them, to the service's keys. */
export const CONTRACT_SORT_KEYS = {
  Id: 'id',
  StartDate: 'startAt',
  EndDate: 'endAt',
  CampaignName: 'programName',
  MediaPartnerName: 'partnerName',
  BrandName: 'brandName',
  TerminationReason: 'terminationReason',
} as const satisfies Record<(typeof CONTRACT_SORTS)[number], string>;

export function toContractDto(c: ContractRow): Contract {
  return {
    Id: c.id,
    CampaignId: c.programId,
    CampaignName: c.programName,
    Currency: c.currency,
    BrandAccountId: c.brandAccountId,
    BrandName: c.brandName,
    MediaPartnerId: c.partnerAccountId,
    MediaPartnerName: c.partnerName,
    TemplateTermsId: c.templateTermsId,
    TemplateTermsName: c.templateTermsName,
    Status: c.status,
    StartDate: c.startAt.toISOString(),
    EndDate: isoOrNull(c.endAt),
    TerminationReason: c.terminationReason,
    Terms: toTermsDto(c.terms, c.currency),
    CreatedDate: c.createdAt.toISOString(),
  };
}

export function toBrandPartnerDto(p: BrandPartnerRow): BrandPartner {
  return {
    MediaPartnerId: p.partnerAccountId,
    MediaPartnerName: p.partnerName,
    ActiveContracts: p.activeContracts,
    Contracts: p.contracts,
    FirstContractDate: p.firstContractAt.toISOString(),
  };
}
