import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import type { ServiceContext } from '../../src/core/context.js';
import { logInClient, makeAccount, type Client, type TestAccount } from '../support/app.js';
import { makeContract, makeProgram, type TestProgram } from '../support/programs.js';
import type { TrackingLink } from '../../src/http/contract/tracking.js';

/** A tracking link as the API returns it. */
export type LinkDtoJson = TrackingLink;

export interface TrackingWorld {
  brand: TestAccount;
  partner: TestAccount;
  program: TestProgram;
  contractId: number;
  partnerClient: Client;
}

/** A brand with a program, a partner under contract with it, and the partner logged in. */
export async function makeTrackingWorld(app: FastifyInstance, ctx: ServiceContext): Promise<TrackingWorld> {
  const brand = await makeAccount(ctx, 'BRAND');
  const partner = await makeAccount(ctx, 'PARTNER');
  const program = await makeProgram(ctx, brand);
  const contractId = await makeContract(ctx, partner, program);
  const partnerClient = (await logInClient(app, partner.adminEmail)).withAccount(partner.id);
  return { brand, partner, program, contractId, partnerClient };
}

export async function createLinkOk(client: Client, programId: number, landingUrl = 'https://shop.example/landing', label?: string): Promise<LinkDtoJson> {
  const response = await client.post('/api/v1/links', { CampaignId: programId, LandingUrl: landingUrl, ...(label === undefined ? {} : { Label: label }) });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as LinkDtoJson;
}

export interface ClickRow {
  click_id: string;
  link_id: number;
  program_id: number;
  partner_account_id: number;
  at: Date;
  ip_hash: string | null;
  user_agent: string | null;
  referrer: string | null;
}

export async function clickRows(ctx: ServiceContext, linkId?: number): Promise<ClickRow[]> {
  const { rows } = await ctx.db.query<ClickRow>(
    `select * from clicks ${linkId === undefined ? '' : 'where link_id = $1'} order by at, click_id`,
    linkId === undefined ? [] : [linkId],
  );
  return rows;
}

export async function closeAccount(ctx: ServiceContext, accountId: number): Promise<void> {
  await ctx.db.query(`update accounts set status = 'CLOSED', closed_at = $2 where id = $1`, [accountId, ctx.clock.now()]);
}
