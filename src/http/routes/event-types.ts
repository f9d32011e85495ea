import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ServiceContext } from '../../core/context.js';
import { requireAccountActor } from '../../modules/accounts/actor.js';
import { listAuditEventsOfSubject } from '../../modules/audit/queries.js';
import { getBrandEventTypeOrThrow, listBrandEventTypes } from '../../modules/programs/brand-event-types.js';
import { setReturnsProcessing } from '../../modules/programs/set-returns-processing.js';
import { actorOf } from '../auth.js';
import { errorResponses } from '../contract/common.js';
import {
  brandEventTypeDetailDto,
  brandEventTypeDto,
  eventTypeIdParams,
  eventTypesQuery,
  setReturnsProcessingBody,
} from '../contract/event-types.js';
import { toBrandEventTypeDetailDto, toBrandEventTypeDto } from '../contract-mapping/event-types.js';

const HISTORY_ACTIONS = ['event_type.returns_processing_changed'];

export async function eventTypeRoutes(app: FastifyInstance, opts: { ctx: ServiceContext; mailDomain: string }): Promise<void> {
  const { ctx } = opts;
  const { mailDomain } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/event-types',
    {
      schema: {
        tags: ['programs'],
        summary: "The brand's event types across its programs, each with its Returns Processing (Settings → Tracking → Event Types)",
        querystring: eventTypesQuery,
        response: { 200: brandEventTypeDto.array(), ...errorResponses },
      },
    },
    async (request) => {
      const brand = requireAccountActor(actorOf(request), 'BRAND');
      const rows = await listBrandEventTypes(ctx.db, brand.accountId, request.query.programId ? { programId: request.query.programId } : {});
      return rows.map((e) => toBrandEventTypeDto(e, mailDomain));
    },
  );

  const detail = async (accountId: number, eventTypeId: number) => {
    const row = await getBrandEventTypeOrThrow(ctx.db, accountId, eventTypeId);
    const history = await listAuditEventsOfSubject(ctx.db, accountId, `event_type:${eventTypeId}`, { actions: HISTORY_ACTIONS });
    return toBrandEventTypeDetailDto(row, history, mailDomain);
  };

  r.get(
    '/api/v1/event-types/:eventTypeId',
    {
      schema: {
        tags: ['programs'],
        summary: 'One event type of the brand, with its Returns Processing and every change of it',
        params: eventTypeIdParams,
        response: { 200: brandEventTypeDetailDto, ...errorResponses },
      },
    },
    async (request) => {
      const brand = requireAccountActor(actorOf(request), 'BRAND');
      return detail(brand.accountId, request.params.eventTypeId);
    },
  );

  r.put(
    '/api/v1/event-types/:eventTypeId/returns-processing',
    {
      schema: {
        tags: ['programs'],
        summary:
          "Set an event type's Returns Processing: API, SFTP_UPLOAD (the platform's file server), SFTP_PULL (your server), EMAIL or SALESFORCE, with what the option needs. Audited; changeable at any time",
        params: eventTypeIdParams,
        body: setReturnsProcessingBody,
        response: { 200: brandEventTypeDetailDto, ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const b = request.body;
      const updated = await setReturnsProcessing(ctx, actor, request.params.eventTypeId, {
        method: b.Method,
        ...(b.Pull
          ? {
              pull: {
                protocol: b.Pull.Protocol,
                host: b.Pull.Host,
                username: b.Pull.Username,
                folder: b.Pull.Folder,
                filePattern: b.Pull.FilePattern,
                ...(b.Pull.Port !== undefined ? { port: b.Pull.Port } : {}),
                ...(b.Pull.ResultFolder !== undefined ? { resultFolder: b.Pull.ResultFolder } : {}),
                ...(b.Pull.DeleteAfterPull !== undefined ? { deleteAfterPull: b.Pull.DeleteAfterPull } : {}),
                ...(b.Pull.IntervalMinutes !== undefined ? { intervalMinutes: b.Pull.IntervalMinutes } : {}),
              },
            }
          : {}),
        ...(b.Email
          ? {
              email: {
                ...(b.Email.FilePattern !== undefined ? { filePattern: b.Email.FilePattern } : {}),
                ...(b.Email.ReturnAddress !== undefined ? { returnAddress: b.Email.ReturnAddress } : {}),
                ...(b.Email.AllowedSenders !== undefined ? { allowedSenders: b.Email.AllowedSenders } : {}),
              },
            }
          : {}),
        ...(b.Salesforce
          ? {
              salesforce: {
                instanceUrl: b.Salesforce.InstanceUrl,
                objectName: b.Salesforce.ObjectName,
                matchField: b.Salesforce.MatchField,
                matchBy: b.Salesforce.MatchBy,
                statusField: b.Salesforce.StatusField,
                statuses: b.Salesforce.Statuses.map((s) => ({ value: s.Value, change: s.Change, reason: s.Reason ?? null, amountField: s.AmountField ?? null })),
              },
            }
          : {}),
        ...(b.RegenerateEmailAddress !== undefined ? { regenerateEmailAddress: b.RegenerateEmailAddress } : {}),
      });
      return detail(requireAccountActor(actor).accountId, updated.id);
    },
  );
}
