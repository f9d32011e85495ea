import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServiceContext } from '../../core/context.js';
import { requireAccountActor } from '../../modules/accounts/actor.js';
import { createEventType } from '../../modules/programs/create-event-type.js';
import { createProgram } from '../../modules/programs/create-program.js';
import { getVisibleProgramOrThrow, listEventTypes, listJoinablePrograms, listProgramsOfBrand } from '../../modules/programs/queries.js';
import { archiveTemplateTerms, createTemplateTerms, listTemplateTerms } from '../../modules/programs/template-terms.js';
import { termsInputSchema } from '../../modules/programs/terms/index.js';
import { updateProgram } from '../../modules/programs/update-program.js';
import { actorOf } from '../auth.js';
import { eventTypeDto, programDto, templateTermsDto, toEventTypeDto, toProgramDto, toTemplateTermsDto } from '../dto.js';
import { errorResponses, idParams, noContentResponses, rowIdText } from '../schemas.js';

// The services give the precise messages (at most 50 domains, what is wrong with one); these only bound the input.
const websiteUrlField = z
  .string()
  .max(10_000)
  .nullable()
  .optional()
  .describe("The program's own site, an absolute http(s) URL; null clears it");
const landingDomainsField = z
  .array(z.string().max(1_000))
  .max(1_000)
  .optional()
  .describe(
    'Hosts tracking links may send visitors to (at most 50): exact hosts like shop.example.com, or *.example.com for any subdomain of example.com (not example.com itself). ' +
      "No scheme, port or path. On create, left out: the website's host. On change, the whole new list; existing links outside it stop redirecting.",
  );

const programIdParams = z.object({ programId: rowIdText() }).strict();
const termsParams = z
  .object({
    programId: rowIdText(),
    termsId: rowIdText(),
  })
  .strict();

export async function programRoutes(app: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const { ctx } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/programs',
    {
      schema: {
        tags: ['programs'],
        summary: "A brand's own programs; for a partner, the programs it can join",
        response: { 200: z.array(programDto), ...errorResponses },
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
        body: z
          .object({
            name: z.string().max(200),
            currency: z.string().max(3).describe('ISO 4217, e.g. USD'),
            timeZone: z.string().max(64).describe('IANA, e.g. America/New_York'),
            websiteUrl: websiteUrlField,
            landingDomains: landingDomainsField,
          })
          .strict(),
        response: { 201: programDto, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(toProgramDto(await createProgram(ctx, actorOf(request), request.body))),
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
        body: z
          .object({
            name: z.string().max(200).optional(),
            timeZone: z.string().max(64).optional(),
            status: z.enum(['ACTIVE', 'INACTIVE']).optional(),
            websiteUrl: websiteUrlField,
            landingDomains: landingDomainsField,
          })
          .strict(),
        response: { 200: programDto, ...errorResponses },
      },
    },
    async (request) => toProgramDto(await updateProgram(ctx, actorOf(request), request.params.id, request.body)),
  );

  r.get(
    '/api/v1/programs/:programId/event-types',
    {
      schema: {
        tags: ['programs'],
        summary: "A program's event types (ActionTrackerIds)",
        params: programIdParams,
        response: { 200: z.array(eventTypeDto), ...errorResponses },
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
        body: z
          .object({
            name: z.string().max(100),
            kind: z.enum(['SALE', 'LEAD', 'CLICK', 'OTHER']),
            returnsProcessing: z.enum(['API', 'SFTP_UPLOAD', 'SFTP_PULL', 'EMAIL', 'SALESFORCE']).optional(),
          })
          .strict(),
        response: { 201: eventTypeDto, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(toEventTypeDto(await createEventType(ctx, actorOf(request), request.params.programId, request.body))),
  );

  r.get(
    '/api/v1/programs/:programId/terms',
    {
      schema: {
        tags: ['programs'],
        summary: "A program's template terms (partners see the active ones they can accept)",
        params: programIdParams,
        response: { 200: z.array(templateTermsDto), ...errorResponses },
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
        body: z.object({ name: z.string().max(200), terms: termsInputSchema }).strict(),
        response: { 201: templateTermsDto, ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const created = await createTemplateTerms(ctx, actor, request.params.programId, request.body);
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
