import type { BrandPartner, Contract } from '../contract/contracts.js';
import type { CONTRACT_SORTS } from '../contract/enums.js';
import type { BrandPartnerRow, ContractHistoryFilter, ContractRow } from '../../modules/contracts/queries.js';
import type { ExportColumn } from '../table-export.js';
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
    ProgramTimeZone: c.programTimeZone,
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

/** A Contract History query as the service takes it: the sort field named as the service names it. */
export function historyFilterOf<Q extends { sort?: keyof typeof CONTRACT_SORT_KEYS | undefined }>(query: Q): Omit<Q, 'sort'> & Pick<ContractHistoryFilter, 'sort'> {
  const { sort, ...rest } = query;
  return { ...rest, ...(sort ? { sort: CONTRACT_SORT_KEYS[sort] } : {}) };
}

/** The columns of the Contract History downloads, named as the API names the fields. */
export const CONTRACT_EXPORT_COLUMNS: Array<ExportColumn<ContractRow>> = [
  { header: 'Id', value: (c) => c.id, width: 11, pdf: true },
  { header: 'CampaignId', value: (c) => c.programId, width: 10 },
  { header: 'CampaignName', value: (c) => c.programName, width: 24, pdf: true },
  { header: 'ProgramTimeZone', value: (c) => c.programTimeZone, width: 18 },
  { header: 'BrandName', value: (c) => c.brandName, width: 20, pdf: true },
  { header: 'MediaPartnerId', value: (c) => c.partnerAccountId, width: 10 },
  { header: 'MediaPartnerName', value: (c) => c.partnerName, width: 20, pdf: true },
  { header: 'TemplateTermsName', value: (c) => c.templateTermsName, width: 22, pdf: true },
  { header: 'Status', value: (c) => c.status, width: 10, pdf: true },
  { header: 'StartDate', value: (c) => c.startAt, width: 19, pdf: true },
  { header: 'EndDate', value: (c) => c.endAt, width: 19, pdf: true },
  { header: 'TerminationReason', value: (c) => c.terminationReason, width: 20, pdf: true },
];
