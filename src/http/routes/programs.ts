import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ServiceContext } from '../../core/context.js';
import { requireAccountActor } from '../../modules/accounts/actor.js';
import { createEventType } from '../../modules/programs/create-event-type.js';
import { createProgram } from '../../modules/programs/create-program.js';
import { getVisibleProgramOrThrow, listEventTypes, listJoinablePrograms, listProgramsOfBrand } from '../../modules/programs/queries.js';
import { archiveTemplateTerms, createTemplateTerms, listTemplateTerms } from '../../modules/programs/template-terms.js';
import { updateProgram } from '../../modules/programs/update-program.js';
import { actorOf } from '../auth.js';
import { errorResponses, idParams, noContentResponses } from '../contract/common.js';
import {
  createEventTypeBody,
  createProgramBody,
  createTemplateTermsBody,
  eventTypeDto,
  programDto,
  programIdParams,
  templateTermsDto,
  termsParams,
  updateProgramBody,
} from '../contract/programs.js';
import { termsFromWire, toEventTypeDto, toProgramDto, toTemplateTermsDto } from '../contract-mapping/programs.js';

export async function programRoutes(app: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const { ctx } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/programs',
    {
      schema: {
        tags: ['programs'],
        summary: "A brand's own programs; for a partner, the programs it can join",
        response: { 200: programDto.array(), ...errorResponses },
      },
    },
    async (request) => {
      const actor = requireAccountActor(actorOf(request));
      const rows = actor.accountKind === 'BRAND' ? await listProgramsOfBrand(ctx.db, actor.accountId) : await listJoinablePrograms(ctx.db);
      return rows.map(toProgramDto);
    },
  );

  r.post(
    '/api/v1/programs',
    {
      schema: {
        tags: ['programs'],
        summary: 'Create a program (brands); its currency is fixed from then on',
        body: createProgramBody,
        response: { 201: programDto, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { Name, Currency, TimeZone, WebsiteUrl, LandingDomains } = request.body;
      const created = await createProgram(ctx, actorOf(request), {
        name: Name,
        currency: Currency,
        timeZone: TimeZone,
        ...(WebsiteUrl !== undefined ? { websiteUrl: WebsiteUrl } : {}),
        ...(LandingDomains !== undefined ? { landingDomains: LandingDomains } : {}),
      });
      return reply.status(201).send(toProgramDto(created));
    },
  );

  r.get(
    '/api/v1/programs/:id',
    { schema: { tags: ['programs'], summary: 'One program', params: idParams, response: { 200: programDto, ...errorResponses } } },
    async (request) => toProgramDto(await getVisibleProgramOrThrow(ctx.db, actorOf(request), request.params.id)),
  );

  r.patch(
    '/api/v1/programs/:id',
    {
      schema: {
        tags: ['programs'],
        summary: 'Change a program (brands). The currency cannot be changed; new landing domains apply to existing links too.',
        params: idParams,
        body: updateProgramBody,
        response: { 200: programDto, ...errorResponses },
      },
    },
    async (request) => {
      const { Name, TimeZone, Status, WebsiteUrl, LandingDomains } = request.body;
      const updated = await updateProgram(ctx, actorOf(request), request.params.id, {
        ...(Name !== undefined ? { name: Name } : {}),
        ...(TimeZone !== undefined ? { timeZone: TimeZone } : {}),
        ...(Status !== undefined ? { status: Status } : {}),
        ...(WebsiteUrl !== undefined ? { websiteUrl: WebsiteUrl } : {}),
        ...(LandingDomains !== undefined ? { landingDomains: LandingDomains } : {}),
      });
      return toProgramDto(updated);
    },
  );

  r.get(
    '/api/v1/programs/:programId/event-types',
    {
      schema: {
        tags: ['programs'],
        summary: "A program's event types (ActionTrackerIds)",
        params: programIdParams,
        response: { 200: eventTypeDto.array(), ...errorResponses },
      },
    },
    async (request) => {
      await getVisibleProgramOrThrow(ctx.db, actorOf(request), request.params.programId);
      return (await listEventTypes(ctx.db, request.params.programId)).map(toEventTypeDto);
    },
  );

  r.post(
    '/api/v1/programs/:programId/event-types',
    {
      schema: {
        tags: ['programs'],
        summary: 'Add an event type (brands); at most one CLICK per program',
        params: programIdParams,
        body: createEventTypeBody,
        response: { 201: eventTypeDto, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { Name, Kind, ReturnsProcessing } = request.body;
      const created = await createEventType(ctx, actorOf(request), request.params.programId, {
        name: Name,
        kind: Kind,
        ...(ReturnsProcessing !== undefined ? { returnsProcessing: ReturnsProcessing } : {}),
      });
      return reply.status(201).send(toEventTypeDto(created));
    },
  );

  r.get(
    '/api/v1/programs/:programId/terms',
    {
      schema: {
        tags: ['programs'],
        summary: "A program's template terms (partners see the active ones they can accept)",
        params: programIdParams,
        response: { 200: templateTermsDto.array(), ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const program = await getVisibleProgramOrThrow(ctx.db, actor, request.params.programId);
      return (await listTemplateTerms(ctx, actor, program.id)).map((t) => toTemplateTermsDto(t, program.currency));
    },
  );

  r.post(
    '/api/v1/programs/:programId/terms',
    {
      schema: {
        tags: ['programs'],
        summary: 'Publish template terms (brands): payouts per event type, payout groups, locking rule, payment schedule',
        params: programIdParams,
        body: createTemplateTermsBody,
        response: { 201: templateTermsDto, ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const created = await createTemplateTerms(ctx, actor, request.params.programId, {
        name: request.body.Name,
        terms: termsFromWire(request.body.Terms),
      });
      const program = await getVisibleProgramOrThrow(ctx.db, actor, request.params.programId);
      return reply.status(201).send(toTemplateTermsDto(created, program.currency));
    },
  );

  r.post(
    '/api/v1/programs/:programId/terms/:termsId/archive',
    {
      schema: {
        tags: ['programs'],
        summary: 'Archive template terms: partners can no longer accept them; existing contracts are unchanged',
        params: termsParams,
        response: noContentResponses,
      },
    },
    async (request, reply) => {
      await archiveTemplateTerms(ctx, actorOf(request), request.params.programId, request.params.termsId);
      return reply.status(204).send(null);
    },
  );
}
