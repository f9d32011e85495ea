/**
 * The impact-compatible form of report exports, for scripts migrating from impact.com:
 * `GET /Advertisers/{AccountSID}/ReportExport/{handle}` (or `/Mediapartners/…` for a
 * partner) queues the export and answers `{"Status":"QUEUED","QueuedUri":"…/Jobs/{Id}",
 * "ResultUri":"…/Jobs/{Id}/Download"}`; `GET …/Jobs/{Id}` answers how it goes and
 * `GET …/Jobs/{Id}/Download` the file (202 while it is written). The handle is the report's
 * id in our catalog (GET /api/v1/reports); the other query parameters are its filters, and
 * `ResultFormat` (CSV, XLSX or PDF) the file's format. HTTP Basic with the Account SID and
 * an Auth Token; errors in impact.com's envelope. Outside /api/v1 and left out of /docs.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServiceContext } from '../../core/context.js';
import { invalid, notFound } from '../../core/errors.js';
import { isStorableText } from '../../core/text.js';
import type { AccountActor } from '../../modules/accounts/actor.js';
import { getExportOrThrow, type ReportExport } from '../../modules/reports/exports.js';
import { EXPORT_FILE_FORMATS } from '../contract/reports.js';
import { impactActorOrThrow, impactErrorHandler } from './impact-actions.js';
import { requestReportExport, sendExportFile } from './reports.js';

const PREFIXES = { Advertisers: 'BRAND', Mediapartners: 'PARTNER' } as const;
type Prefix = keyof typeof PREFIXES;

function jobUri(prefix: Prefix, accountSid: string, job: ReportExport): string {
  return `/${prefix}/${accountSid}/Jobs/${job.id}`;
}

function jobAnswer(prefix: Prefix, accountSid: string, job: ReportExport) {
  const uri = jobUri(prefix, accountSid, job);
  return {
    Id: job.id.toString(),
    Status: job.status,
    ReportId: job.report,
    CreatedDate: job.createdAt.toISOString(),
    StartedDate: job.startedAt?.toISOString() ?? '',
    CompletedDate: job.completedAt?.toISOString() ?? '',
    RecordsProcessed: String(job.rowsWritten),
    Error: job.error ?? '',
    ResultUri: `${uri}/Download`,
    Uri: uri,
  };
}

async function actorOrThrow(ctx: ServiceContext, request: FastifyRequest, reply: FastifyReply, prefix: Prefix, accountSid: string): Promise<AccountActor> {
  const actor = await impactActorOrThrow(ctx, request, reply, accountSid);
  if (actor.accountKind !== PREFIXES[prefix]) {
    const other = actor.accountKind === 'BRAND' ? 'Advertisers' : 'Mediapartners';
    throw notFound(`These credentials are of a ${actor.accountKind === 'BRAND' ? 'brand' : 'partner'}: use /${other}/${accountSid}/….`);
  }
  return actor;
}

/** The query's parameters as the report's filters, and the format asked for. */
function exportRequestOf(query: unknown): { format: (typeof EXPORT_FILE_FORMATS)[number]; filters: Record<string, string> } {
  const filters: Record<string, string> = {};
  let format: (typeof EXPORT_FILE_FORMATS)[number] = 'csv';
  for (const [name, raw] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    if (typeof raw !== 'string') throw invalid(`${name.slice(0, 60)}: give it once, as text.`, { errors: [{ field: name.slice(0, 60), message: 'given more than once' }] });
    if (!isStorableText(raw) || !isStorableText(name)) throw invalid(`${name.slice(0, 60)}: holds characters that cannot be stored (NUL or a lone surrogate).`);
    if (name.toLowerCase() === 'resultformat') {
      const wanted = raw.toLowerCase();
      if (!(EXPORT_FILE_FORMATS as readonly string[]).includes(wanted)) {
        throw invalid(`ResultFormat: one of CSV, XLSX, PDF, not "${raw.slice(0, 20)}".`, { errors: [{ field: 'ResultFormat', message: 'one of CSV, XLSX, PDF' }] });
      }
      format = wanted as typeof format;
    } else filters[name] = raw;
  }
  return { format, filters };
}

export async function impactReportExportRoutes(app: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const { ctx } = opts;
  app.setErrorHandler(impactErrorHandler);
  const hidden = { schema: { hide: true }, config: { auth: 'public' as const } };

  for (const prefix of Object.keys(PREFIXES) as Prefix[]) {
    app.get<{ Params: { accountSid: string; handle: string } }>(`/${prefix}/:accountSid/ReportExport/:handle`, hidden, async (request, reply) => {
      const { accountSid } = request.params;
      const actor = await actorOrThrow(ctx, request, reply, prefix, accountSid);
      const handle = request.params.handle.replace(/\.json$/i, '');
      const { format, filters } = exportRequestOf(request.query);
      const { export: job } = await requestReportExport(ctx, actor, handle, { Format: format, Filters: filters });
      const uri = jobUri(prefix, accountSid, job);
      return reply.status(200).send({ Status: 'QUEUED', QueuedUri: uri, ResultUri: `${uri}/Download` });
    });

    const jobOf = async (request: FastifyRequest<{ Params: { accountSid: string; jobId: string } }>, reply: FastifyReply) => {
      const actor = await actorOrThrow(ctx, request, reply, prefix, request.params.accountSid);
      const id = /^([1-9][0-9]{0,17})(\.json)?$/.exec(request.params.jobId)?.[1];
      if (!id) throw notFound(`Job ${request.params.jobId.slice(0, 40)} does not exist or is not visible to this account.`);
      return getExportOrThrow(ctx.db, actor, null, BigInt(id));
    };
    app.get<{ Params: { accountSid: string; jobId: string } }>(`/${prefix}/:accountSid/Jobs/:jobId`, hidden, async (request, reply) =>
      jobAnswer(prefix, request.params.accountSid, await jobOf(request, reply)),
    );
    app.get<{ Params: { accountSid: string; jobId: string } }>(`/${prefix}/:accountSid/Jobs/:jobId/Download`, hidden, async (request, reply) => {
      const job = await jobOf(request, reply);
      return sendExportFile(ctx, reply, job, () => jobAnswer(prefix, request.params.accountSid, job));
    });
  }
}
