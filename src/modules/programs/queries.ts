import { notFound } from '../../core/errors.js';
import type { Sql } from '../../db/types.js';
import type { Actor } from '../accounts/actor.js';
import { termsFromJson, type TermsDefinition, type TermsJson } from './terms/index.js';

import type { EventTypeKind, ProgramStatus, ReturnsProcessing } from './types.js';

export type { EventTypeKind, ReturnsProcessing } from './types.js';

export interface ProgramRow {
  id: number;
  brandAccountId: number;
  brandName: string;
  name: string;
  currency: string;
  timeZone: string;
  status: ProgramStatus;
  /** The program's own site, set by the brand; null for programs from before it existed. */
  websiteUrl: string | null;
  /** Where its tracking links may send visitors (landing-domains.ts); normalized entries. */
  landingDomains: string[];
  createdAt: Date;
}

export interface EventTypeRow {
  id: number;
  programId: number;
  name: string;
  kind: EventTypeKind;
  returnsProcessing: ReturnsProcessing;
  createdAt: Date;
}

const PROGRAM_COLUMNS = `p.id, p.brand_account_id as "brandAccountId", a.name as "brandName", p.name, p.currency,
  p.time_zone as "timeZone", p.status, p.website_url as "websiteUrl", p.landing_domains as "landingDomains",
  p.created_at as "createdAt"`;

/**
 * Who may read a program: its own brand, any partner while it is active (programs are
 * listed for partners to join), and operators. Another brand gets a 404, not a 403,
 * so it cannot even learn that the program exists.
 */
export async function getVisibleProgramOrThrow(sql: Sql, actor: Actor, programId: number): Promise<ProgramRow> {
  const { rows } = await sql.query<ProgramRow>(
    `select ${PROGRAM_COLUMNS} from programs p join accounts a on a.id = p.brand_account_id where p.id = $1`,
    [programId],
  );
  const program = rows[0];
  const visible =
    program &&
    (actor.type === 'operator' ||
      (actor.accountKind === 'BRAND' && program.brandAccountId === actor.accountId) ||
      (actor.accountKind === 'PARTNER' && program.status === 'ACTIVE'));
  if (!visible) throw notFound(`Program ${programId} does not exist or is not visible to this account.`);
  return program;
}

/** For changes: only the owning brand. */
export async function getOwnProgramOrThrow(sql: Sql, brandAccountId: number, programId: number, lock = false): Promise<ProgramRow> {
  const { rows } = await sql.query<ProgramRow>(
    `select ${PROGRAM_COLUMNS} from programs p join accounts a on a.id = p.brand_account_id
      where p.id = $1 and p.brand_account_id = $2 ${lock ? 'for update of p' : ''}`,
    [programId, brandAccountId],
  );
  if (!rows[0]) throw notFound(`Program ${programId} does not exist in this account.`);
  return rows[0];
}

export async function listProgramsOfBrand(sql: Sql, brandAccountId: number): Promise<ProgramRow[]> {
  const { rows } = await sql.query<ProgramRow>(
    `select ${PROGRAM_COLUMNS} from programs p join accounts a on a.id = p.brand_account_id
      where p.brand_account_id = $1 order by p.id`,
    [brandAccountId],
  );
  return rows;
}

/** The programs a partner can join: active programs of active brands. */
export async function listJoinablePrograms(sql: Sql): Promise<ProgramRow[]> {
  const { rows } = await sql.query<ProgramRow>(
    `select ${PROGRAM_COLUMNS} from programs p join accounts a on a.id = p.brand_account_id
      where p.status = 'ACTIVE' and a.status = 'ACTIVE' order by a.name, p.name, p.id`,
  );
  return rows;
}

/** A program's allowed landing domains, for a caller that has already checked it may use the program. */
export async function getLandingDomains(sql: Sql, programId: number): Promise<string[] | undefined> {
  const { rows } = await sql.query<{ landingDomains: string[] }>(
    `select landing_domains as "landingDomains" from programs where id = $1`,
    [programId],
  );
  return rows[0]?.landingDomains;
}

export async function listEventTypes(sql: Sql, programId: number): Promise<EventTypeRow[]> {
  const { rows } = await sql.query<EventTypeRow>(
    `select id, program_id as "programId", name, kind, returns_processing as "returnsProcessing", created_at as "createdAt"
       from event_types where program_id = $1 order by id`,
    [programId],
  );
  return rows;
}

export interface TemplateTermsRow {
  id: number;
  programId: number;
  name: string;
  terms: TermsDefinition;
  status: 'ACTIVE' | 'ARCHIVED';
  createdAt: Date;
}

export type TemplateTermsStoredRow = Omit<TemplateTermsRow, 'terms'> & { terms: TermsJson };

export const TEMPLATE_TERMS_COLUMNS = `id, program_id as "programId", name, terms, status, created_at as "createdAt"`;

export function templateTermsFromStored(row: TemplateTermsStoredRow): TemplateTermsRow {
  return { ...row, terms: termsFromJson(row.terms) };
}

/** One template terms row, whichever program's (accepting terms checks the program's visibility itself). */
export async function getTemplateTermsOrThrow(sql: Sql, termsId: number): Promise<TemplateTermsRow> {
  const { rows } = await sql.query<TemplateTermsStoredRow>(`select ${TEMPLATE_TERMS_COLUMNS} from template_terms where id = $1`, [termsId]);
  if (!rows[0]) throw notFound(`Template terms ${termsId} do not exist.`);
  return templateTermsFromStored(rows[0]);
}
