/**
 * Reports pinned to Home (issue 16 item 2): a user's own pins on the account they act
 * for, and the compact preview Home shows of each (the report's first rows with the
 * pin's filters, from the catalog's own rows and columns).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServiceContext } from '../../core/context.js';
import { forbidden, invalid } from '../../core/errors.js';
import { requireAccountActor, type Actor } from '../../modules/accounts/actor.js';
import { pinReport } from '../../modules/pins/pin-report.js';
import { listPins } from '../../modules/pins/queries.js';
import { removePin } from '../../modules/pins/remove-pin.js';
import { reorderPins } from '../../modules/pins/reorder-pins.js';
import type { Pin, PinOwner } from '../../modules/pins/types.js';
import { formatMinor } from '../../money/index.js';
import { actorOf } from '../auth.js';
import { errorResponses, idParams } from '../contract/common.js';
import { reportParams } from '../contract/reports.js';
import {
  createPinBody,
  pinDto,
  pinListDto,
  PREVIEW_MAX_ROWS,
  reorderPinsBody,
  reportPreviewDto,
  type Pin as PinDto,
  type PreviewCell,
  type ReportPreview,
} from '../contract/pins.js';
import { findReport, type ReportDefinition } from '../reports/catalog.js';
import { checkFilterValuesOrThrow } from '../reports/filter-values.js';
import type { Cell } from '../table-export.js';
import { checkedFiltersOrThrow, reportForOrThrow } from './reports.js';

/** The reports Home can draw as a chart (payout per day, from GET /api/v1/performance/daily). */
const CHART_REPORTS = new Set(['pending-payouts-actions']);

/** Pins belong to a person's Home: an API credential has none. */
function pinOwnerOf(actor: Actor): PinOwner {
  const account = requireAccountActor(actor);
  if (account.via === 'token') throw forbidden('Pins are on a person’s Home in the web UI; an API credential has no Home. Log in to pin reports.');
  return { accountId: account.accountId, userId: account.userId };
}

export function previewUrlOf(report: string, filters: Record<string, string>): string {
  const query = new URLSearchParams(filters).toString();
  return `/api/v1/reports/${report}/preview${query ? `?${query}` : ''}`;
}

function toPinDto(pin: Pin): PinDto {
  return {
    Id: pin.id,
    Report: pin.report,
    ReportTitle: findReport(pin.report)?.title ?? null,
    Title: pin.title,
    Filters: pin.filters,
    Display: pin.display,
    Link: pin.link,
    Position: pin.position,
    PreviewUrl: previewUrlOf(pin.report, pin.filters),
    CreatedDate: pin.createdAt.toISOString(),
  };
}

function cellOf(cell: Cell): PreviewCell {
  if (cell === null || typeof cell === 'string' || typeof cell === 'number') return cell;
  if (cell instanceof Date) return cell.toISOString();
  return { Amount: formatMinor(cell.minor, cell.currency), Currency: cell.currency };
}

function typeOf(cells: readonly Cell[]): 'text' | 'number' | 'date' | 'money' {
  const first = cells.find((c) => c !== null);
  if (first === undefined || typeof first === 'string') return 'text';
  if (typeof first === 'number') return 'number';
  if (first instanceof Date) return 'date';
  return 'money';
}

/** The first `count` rows of a report with its filters, in its compact columns (the PDF's). */
export async function reportPreview(
  ctx: ServiceContext,
  actor: Actor,
  report: ReportDefinition<Record<string, unknown>, unknown>,
  filters: Record<string, string>,
  count: number,
): Promise<ReportPreview> {
  const parsed = report.filters.parse(filters);
  const source = report.rows(ctx, actor, parsed, ctx.clock.now());
  const rows: unknown[] = [];
  try {
    while (rows.length <= count) {
      const next = await source.next();
      if (next.done) break;
      rows.push(...next.value);
    }
  } finally {
    await source.return?.(undefined);
  }
  const compact = report.columns.filter((c) => c.pdf);
  const columns = compact.length ? compact : report.columns;
  const shown = rows.slice(0, count);
  const cells = shown.map((row) => columns.map((c) => c.value(row)));
  return {
    Report: report.id,
    Title: report.title,
    Columns: columns.map((c, i) => ({ Name: c.header, Type: typeOf(cells.map((r) => r[i]!)) })),
    Rows: cells.map((r) => r.map(cellOf)),
    More: rows.length > count,
  };
}

export async function pinRoutes(app: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const { ctx } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/pins',
    {
      schema: {
        tags: ['reports'],
        summary: 'Your reports pinned to this account’s Home, in their order',
        response: { 200: pinListDto, ...errorResponses },
      },
    },
    async (request) => ({ Items: (await listPins(ctx.db, pinOwnerOf(actorOf(request)))).map(toPinDto) }),
  );

  r.post(
    '/api/v1/pins',
    {
      schema: {
        tags: ['reports'],
        summary: 'Pin a report with its filters to your Home (at the end); the filters are checked as its exports check them',
        body: createPinBody,
        response: { 201: pinDto, ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const owner = pinOwnerOf(actor);
      const body = request.body;
      const report = reportForOrThrow(actor, body.Report);
      const filters = checkedFiltersOrThrow(report, body.Filters);
      await checkFilterValuesOrThrow(ctx, actor, filters);
      if (body.Display === 'CHART' && !CHART_REPORTS.has(report.id)) {
        throw invalid(`${report.title} cannot be shown as a chart; pin it as a TABLE. Charts: ${[...CHART_REPORTS].join(', ')}.`, {
          errors: [{ field: 'body.Display', message: 'TABLE for this report' }],
        });
      }
      const pin = await pinReport(
        ctx.db,
        owner,
        { report: report.id, title: body.Title ?? report.title, filters, display: body.Display, link: body.Link ?? null },
        ctx.clock.now(),
      );
      return reply.status(201).send(toPinDto(pin));
    },
  );

  r.put(
    '/api/v1/pins/order',
    {
      schema: {
        tags: ['reports'],
        summary: 'Reorder your pins: every one of them, once, in the new order',
        body: reorderPinsBody,
        response: { 200: pinListDto, ...errorResponses },
      },
    },
    async (request) => ({ Items: (await reorderPins(ctx.db, pinOwnerOf(actorOf(request)), request.body.Ids)).map(toPinDto) }),
  );

  r.delete(
    '/api/v1/pins/:id',
    {
      schema: {
        tags: ['reports'],
        summary: 'Take a pin off your Home',
        params: idParams,
        response: { 200: pinDto, ...errorResponses },
      },
    },
    async (request) => toPinDto(await removePin(ctx.db, pinOwnerOf(actorOf(request)), request.params.id)),
  );

  r.get(
    '/api/v1/reports/:report/preview',
    {
      schema: {
        tags: ['reports'],
        summary:
          'The first rows of a report with its filters (query parameters, as its exports name them), in its compact columns: what Home shows of a pin. `rows`: how many (default 5, at most 20). A filter naming something that no longer exists is a 404.',
        params: reportParams,
        querystring: z.record(z.string().max(60), z.string().max(200)),
        response: { 200: reportPreviewDto, ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const report = reportForOrThrow(actor, request.params.report);
      const { rows: rowsText, ...rest } = request.query;
      const count = rowsText === undefined ? 5 : Number(rowsText);
      if (!Number.isInteger(count) || count < 1 || count > PREVIEW_MAX_ROWS) {
        throw invalid(`rows must be a whole number from 1 to ${PREVIEW_MAX_ROWS}.`, { errors: [{ field: 'querystring.rows', message: `1 to ${PREVIEW_MAX_ROWS}` }] });
      }
      const filters = checkedFiltersOrThrow(report, rest);
      await checkFilterValuesOrThrow(ctx, actor, filters);
      return reportPreview(ctx, actor, report, filters, count);
    },
  );
}
