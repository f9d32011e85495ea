/**
 * The report catalog (issue 16 item 1): one definition per report, its filters (the same
 * zod schema as the list's download), its columns, who may run it and where its rows come
 * from. The catalog page (Reports → All Reports), the async exports (POST
 * /api/v1/reports/{report}/exports) and the impact-compatible ReportExport read the same
 * definition, so a file holds the same rows under the same names whichever way it is asked
 * for.
 */
import type { z } from 'zod';
import type { ServiceContext } from '../../core/context.js';
import { forbidden } from '../../core/errors.js';
import type { Actor } from '../../modules/accounts/actor.js';
import { exportActions, exportSortOf } from '../../modules/actions/list-actions.js';
import { listContractHistory } from '../../modules/contracts/queries.js';
import { listConversions } from '../../modules/conversions/list-conversions.js';
import { exportBalanceMovements, type MovementFilter } from '../../modules/ledger/balance-movements.js';
import type { MovementType } from '../../modules/ledger/types.js';
import { listBatches } from '../../modules/returns/queries.js';
import { actionExportQuery } from '../contract/actions.js';
import { conversionsQuery } from '../contract/conversions.js';
import { contractExportQuery } from '../contract/contracts.js';
import { balanceMovementExportQuery } from '../contract/ledger.js';
import { batchListQuery } from '../contract/returns.js';
import { ACTION_EXPORT_COLUMNS, actionFilterOf } from '../contract-mapping/actions.js';
import { CONTRACT_EXPORT_COLUMNS, historyFilterOf } from '../contract-mapping/contracts.js';
import { toConversionDto } from '../contract-mapping/conversions.js';
import { balanceMovementColumns } from '../contract-mapping/ledger.js';
import { toReturnsBatchDto } from '../contract-mapping/returns.js';
import type { Cell, ExportColumn } from '../table-export.js';

export const REPORT_CATEGORIES = ['Actions', 'Contracts', 'Finance', 'Returns'] as const;
export type ReportCategory = (typeof REPORT_CATEGORIES)[number];
export type ReportAudience = 'BRAND' | 'PARTNER' | 'OPERATOR';

export interface ReportDefinition<Q = Record<string, unknown>, T = unknown> {
  /** The report's handle in URLs: `pending-payouts-actions`. */
  id: string;
  title: string;
  category: ReportCategory;
  description: string;
  audiences: readonly ReportAudience[];
  /** The filters it takes: the list's own download query. */
  filters: z.ZodType<Q>;
  /** The file's name before the date: `pending-payouts-actions-2026-12-04.csv`. */
  fileName: string;
  columns: Array<ExportColumn<T>>;
  /** Where the web UI shows it (the catalog links there). */
  uiPath: Partial<Record<ReportAudience, string>>;
  rows(ctx: ServiceContext, actor: Actor, filters: Q, now: Date): AsyncIterator<T[]>;
  /** The order its rows are in, when it has one whatever the filters say (named in the file's heading). */
  sortedBy?(filters: Q): { sort: string; order: 'asc' | 'desc' };
}

/** Rows of a paged list, a page at a time, to the end (or a million rows). */
async function* pagesOf<T>(fetch: (page: number, pageSize: number) => Promise<{ items: readonly T[]; total: number }>): AsyncGenerator<T[]> {
  const pageSize = 500;
  for (let n = 1; n <= 2000; n++) {
    const page = await fetch(n, pageSize);
    if (page.items.length === 0) return;
    yield [...page.items];
    if (n * pageSize >= page.total) return;
  }
}

async function* mapChunks<T, U>(chunks: AsyncIterable<T[]>, map: (item: T) => U): AsyncGenerator<U[]> {
  for await (const chunk of chunks) yield chunk.map(map);
}

/** Columns named as the API names the fields of its rows (the DTO's own keys). */
function dtoColumns<T extends Record<string, unknown>>(keys: ReadonlyArray<keyof T & string>, pdf: ReadonlyArray<keyof T & string>): Array<ExportColumn<T>> {
  return keys.map((key) => ({
    header: key,
    pdf: pdf.includes(key),
    value: (row: T): Cell => {
      const value = row[key];
      if (value === null || value === undefined) return null;
      if (typeof value === 'string' || typeof value === 'number') return value;
      return JSON.stringify(value);
    },
  }));
}

function movementFilterOf(q: z.infer<typeof balanceMovementExportQuery>): MovementFilter {
  return {
    ...(q.currency ? { currency: q.currency } : {}),
    ...(q.type ? { types: q.type.split(',') as MovementType[] } : {}),
    ...(q.from ? { from: new Date(q.from) } : {}),
    ...(q.to ? { to: new Date(q.to) } : {}),
    ...(q.order ? { order: q.order } : {}),
  };
}

function accountOf(actor: Actor, kind: 'BRAND' | 'PARTNER'): number {
  if (actor.type !== 'account' || actor.accountKind !== kind) throw forbidden(`Only a ${kind.toLowerCase()} account runs this report.`);
  return actor.accountId;
}

const conversionExportQuery = conversionsQuery.omit({ page: true, pageSize: true });
const batchExportQuery = batchListQuery.omit({ page: true, pageSize: true });
type ConversionRow = ReturnType<typeof toConversionDto>;
type BatchDtoRow = ReturnType<typeof toReturnsBatchDto>;

const actionReport = (
  id: string,
  title: string,
  description: string,
  fixed: Partial<z.infer<typeof actionExportQuery>>,
  uiPath: Partial<Record<ReportAudience, string>>,
): ReportDefinition<z.infer<typeof actionExportQuery>> =>
  ({
    id,
    title,
    category: 'Actions',
    description,
    audiences: ['BRAND', 'PARTNER', 'OPERATOR'],
    filters: actionExportQuery,
    fileName: id,
    columns: ACTION_EXPORT_COLUMNS,
    uiPath,
    rows: (ctx, actor, q, now) => exportActions(ctx.db, actor, actionFilterOf({ ...q, ...fixed }), now),
    sortedBy: (q) => exportSortOf(actionFilterOf(q)),
  }) as ReportDefinition<z.infer<typeof actionExportQuery>>;

/** Every report, in the catalog's order. */
export const REPORTS: ReadonlyArray<ReportDefinition<never, never>> = [
  actionReport('pending-payouts-actions', 'Pending Payouts Actions', 'Every action with its state, amounts, payout and locking date: the Pending Payouts table.', {}, {
    BRAND: '/transactions/pending-payouts',
    PARTNER: '/transactions/actions',
    OPERATOR: '/operator/actions',
  }),
  actionReport('reversed-actions', 'Reversed Actions', 'The actions reversed, with the reason of each.', { state: 'REVERSED' }, {
    BRAND: '/transactions/pending-payouts/reversed',
    PARTNER: '/transactions/actions?statusDetail=Reversed',
    OPERATOR: '/operator/actions',
  }),
  {
    id: 'rejected-conversions',
    title: 'Rejected conversions',
    category: 'Actions',
    description: 'Conversions reported but not credited to a partner, with the reason (no click, expired contract, duplicate order…).',
    audiences: ['BRAND'],
    filters: conversionExportQuery,
    fileName: 'rejected-conversions',
    columns: dtoColumns<ConversionRow>(
      ['Id', 'CampaignId', 'CampaignName', 'ActionTrackerId', 'EventTypeName', 'OrderId', 'EventDate', 'ClickId', 'MediaPartnerId', 'MediaPartnerName', 'Amount', 'Currency', 'Status', 'RejectReason', 'CreatedDate'],
      ['Id', 'CampaignName', 'OrderId', 'EventDate', 'Amount', 'Currency', 'RejectReason'],
    ),
    uiPath: { BRAND: '/transactions/pending-payouts/rejected-conversions' },
    rows: (ctx: ServiceContext, actor: Actor, q: z.infer<typeof conversionExportQuery>) => {
      const brand = accountOf(actor, 'BRAND');
      const { from, to, ...rest } = q;
      const pages = pagesOf((page, pageSize) =>
        listConversions(ctx.db, brand, {
          ...rest,
          status: rest.status ?? 'REJECTED',
          page,
          pageSize,
          ...(from ? { from: new Date(from) } : {}),
          ...(to ? { to: new Date(to) } : {}),
        }),
      );
      return mapChunks(pages, toConversionDto);
    },
  } as ReportDefinition<z.infer<typeof conversionExportQuery>, ConversionRow>,
  {
    id: 'contract-history',
    title: 'Contract History',
    category: 'Contracts',
    description: 'Every contract with its partner, terms, start and end dates in the program’s time zone, and how it ended.',
    audiences: ['BRAND', 'PARTNER'],
    filters: contractExportQuery,
    fileName: 'contract-history',
    columns: CONTRACT_EXPORT_COLUMNS,
    uiPath: { BRAND: '/reports/contract-history', PARTNER: '/reports/contract-history' },
    rows: (ctx: ServiceContext, actor: Actor, q: z.infer<typeof contractExportQuery>, now: Date) =>
      pagesOf((page, pageSize) => listContractHistory(ctx.db, actor, { ...historyFilterOf(q), page, pageSize }, now)),
  } as ReportDefinition<z.infer<typeof contractExportQuery>>,
  {
    id: 'balance-movements',
    title: 'Balance movements',
    category: 'Finance',
    description: 'What came into and went out of the available balance: cleared payouts, withdrawals, fees, forfeits.',
    audiences: ['PARTNER'],
    filters: balanceMovementExportQuery,
    fileName: 'balance-movements',
    columns: balanceMovementColumns,
    uiPath: { PARTNER: '/finance/balance' },
    rows: (ctx: ServiceContext, actor: Actor, q: z.infer<typeof balanceMovementExportQuery>) =>
      exportBalanceMovements(ctx.db, accountOf(actor, 'PARTNER'), movementFilterOf(q)),
  } as ReportDefinition<z.infer<typeof balanceMovementExportQuery>>,
  {
    id: 'returns-batches',
    title: 'Returns batches',
    category: 'Returns',
    description: 'Every returns file received, by which channel, with its status and counts by outcome.',
    audiences: ['BRAND'],
    filters: batchExportQuery,
    fileName: 'returns-batches',
    columns: dtoColumns<BatchDtoRow>(
      ['Id', 'FileName', 'Channel', 'ProgramName', 'EventTypeName', 'Format', 'Bytes', 'ReceivedAt', 'CompletedAt', 'Status', 'RowsDone', 'RowsTotal', 'Counts', 'Error'],
      ['Id', 'FileName', 'Channel', 'EventTypeName', 'ReceivedAt', 'Status', 'RowsDone', 'RowsTotal'],
    ),
    uiPath: { BRAND: '/transactions/returns-batches' },
    rows: (ctx: ServiceContext, actor: Actor, q: z.infer<typeof batchExportQuery>) => {
      accountOf(actor, 'BRAND');
      const pages = pagesOf((page, pageSize) => listBatches(ctx.db, actor, { ...q, page, pageSize } as Parameters<typeof listBatches>[2]));
      return mapChunks(pages, toReturnsBatchDto);
    },
  } as ReportDefinition<z.infer<typeof batchExportQuery>, BatchDtoRow>,
] as unknown as ReadonlyArray<ReportDefinition<never, never>>;

export function audienceOf(actor: Actor): ReportAudience {
  return actor.type === 'operator' ? 'OPERATOR' : actor.accountKind === 'BRAND' ? 'BRAND' : 'PARTNER';
}

/** The reports this caller may run. */
export function reportsFor(actor: Actor): ReadonlyArray<ReportDefinition<never, never>> {
  const audience = audienceOf(actor);
  return REPORTS.filter((report) => report.audiences.includes(audience));
}

export function findReport(id: string): ReportDefinition<Record<string, unknown>, unknown> | undefined {
  return REPORTS.find((report) => report.id === id) as ReportDefinition<Record<string, unknown>, unknown> | undefined;
}
