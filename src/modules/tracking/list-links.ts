import type { ServiceContext } from '../../core/context.js';
import type { Page } from '../../core/paging.js';
import { requireAccountActor, type Actor } from '../accounts/actor.js';
import { getVisibleLinkOrThrow, listVisibleLinks, type LinkFilter, type LinkRow } from './queries.js';

/** A partner lists its own links; a brand, read-only, the links to its programs. */
export async function listLinks(ctx: ServiceContext, actor: Actor, filter: LinkFilter): Promise<Page<LinkRow>> {
  return listVisibleLinks(ctx.db, requireAccountActor(actor), filter, ctx.clock.now());
}

export async function getLink(ctx: ServiceContext, actor: Actor, linkId: number): Promise<LinkRow> {
  return getVisibleLinkOrThrow(ctx.db, requireAccountActor(actor), linkId, ctx.clock.now());
}
