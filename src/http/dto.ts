import type { ContractRow } from '../modules/contracts/queries.js';
import type { EventTypeRow, ProgramRow } from '../modules/programs/queries.js';
import type { TemplateTermsRow } from '../modules/programs/template-terms.js';
import { termsToOutput } from '../modules/programs/terms/index.js';
import { z } from 'zod';
import { termsOutputSchema } from '../modules/programs/terms/index.js';
import { isoDate } from './schemas.js';

/** What the API sends: dates as ISO strings, money as decimal strings with their currency. */
export const programDto = z.object({
  id: z.number().int(),
  brandAccountId: z.number().int(),
  brandName: z.string(),
  name: z.string(),
  currency: z.string(),
  timeZone: z.string(),
  status: z.enum(['ACTIVE', 'INACTIVE']),
  websiteUrl: z.string().nullable().describe("The program's own site; null until the brand sets it"),
  landingDomains: z
    .array(z.string())
    .describe(
      'Hosts its tracking links may send visitors to: exact hosts (shop.example.com) and wildcards (*.example.com: any subdomain, not example.com itself)',
    ),
  createdAt: isoDate,
});

export function toProgramDto(row: ProgramRow): z.infer<typeof programDto> {
  return { ...row, createdAt: row.createdAt.toISOString() };
}

export const eventTypeDto = z.object({
  id: z.number().int().describe('The ActionTrackerId used in files and conversions'),
  programId: z.number().int(),
  name: z.string(),
  kind: z.enum(['SALE', 'LEAD', 'CLICK', 'OTHER']),
  returnsProcessing: z.enum(['API', 'SFTP_UPLOAD', 'SFTP_PULL', 'EMAIL', 'SALESFORCE']),
  createdAt: isoDate,
});

export function toEventTypeDto(row: EventTypeRow): z.infer<typeof eventTypeDto> {
  return { ...row, createdAt: row.createdAt.toISOString() };
}

export const templateTermsDto = z.object({
  id: z.number().int(),
  programId: z.number().int(),
  name: z.string(),
  status: z.enum(['ACTIVE', 'ARCHIVED']),
  terms: termsOutputSchema,
  createdAt: isoDate,
});

export function toTemplateTermsDto(row: TemplateTermsRow, currency: string): z.infer<typeof templateTermsDto> {
  return { ...row, terms: termsToOutput(row.terms, currency), createdAt: row.createdAt.toISOString() };
}

export const contractDto = z.object({
  id: z.number().int(),
  programId: z.number().int(),
  programName: z.string(),
  currency: z.string(),
  brandAccountId: z.number().int(),
  brandName: z.string(),
  partnerAccountId: z.number().int(),
  partnerName: z.string(),
  templateTermsId: z.number().int(),
  templateTermsName: z.string(),
  status: z.enum(['ACTIVE', 'EXPIRED']),
  startAt: isoDate,
  endAt: isoDate.nullable(),
  terminationReason: z.enum(['STILL_ACTIVE', 'EXPIRED_BY_PARTNER', 'EXPIRED_BY_BRAND', 'REPLACED', 'ACCOUNT_CLOSED']),
  terms: termsOutputSchema,
  createdAt: isoDate,
});

export function toContractDto(row: ContractRow): z.infer<typeof contractDto> {
  return {
    ...row,
    terms: termsToOutput(row.terms, row.currency),
    startAt: row.startAt.toISOString(),
    endAt: row.endAt ? row.endAt.toISOString() : null,
    createdAt: row.createdAt.toISOString(),
  };
}
