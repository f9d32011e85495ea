import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ServiceContext } from '../../core/context.js';
import { requireAccountActor } from '../../modules/accounts/actor.js';
import { returnsTemplate } from '../../modules/returns/parse/templates.js';
import { RETURNS_FORMATS, RETURNS_LAYOUTS, type ReturnsLayout } from '../../modules/returns/types.js';
import { actorOf } from '../auth.js';

const LAYOUT_NAMES: Record<ReturnsLayout, string> = { order: 'order level', item: 'item level', reset: 'reset' };

/**
 * The returns file templates (issue 13 item 1): `GET /api/v1/returns/templates/{order|item|reset}.{csv|xml}`,
 * for a brand's users (the files that use them are a brand's). One route per file, so that
 * /docs lists each and nothing but these six names is a template.
 */
export async function returnsTemplateRoutes(app: FastifyInstance, _opts: { ctx: ServiceContext }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  for (const layout of RETURNS_LAYOUTS) {
    for (const format of RETURNS_FORMATS) {
      const template = returnsTemplate(layout, format);
      r.get(
        `/api/v1/returns/templates/${layout}.${format.toLowerCase()}`,
        {
          schema: {
            tags: ['returns'],
            summary: `Download the ${LAYOUT_NAMES[layout]} returns file template as ${format}: its columns and example rows`,
            produces: [template.contentType.split(';', 1)[0]!],
          },
        },
        async (request, reply) => {
          requireAccountActor(actorOf(request), 'BRAND');
          reply.header('content-disposition', `attachment; filename="${template.fileName}"`);
          reply.type(template.contentType);
          return reply.send(template.body);
        },
      );
    }
  }
}
