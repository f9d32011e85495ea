/**
 * The operator console's view of the worker (src/worker): work items that need an
 * operator (FAILED, DEAD) or any others by state and kind, and a retry.
 */
import { z } from 'zod';
import { NEEDS_ATTENTION_STATES, WORK_ITEM_STATES } from '../../worker/states.js';
import { isoDate, pageQueryShape } from './common.js';

export const workItemDto = z
  .object({
    Id: z.string().describe('Work item id (a 64-bit integer, as a string)'),
    Kind: z.string().describe('What runs it, e.g. lock-due-actions'),
    State: z.enum(WORK_ITEM_STATES),
    Attempts: z.number().int().describe('Attempts made (a retry from the console starts again from 0)'),
    MaxAttempts: z.number().int(),
    LastError: z.string().nullable().describe('The error of the last failed attempt'),
    Progress: z.unknown().describe('What its handler last committed (JSON), or null'),
    PayloadSummary: z.string().describe('The payload as JSON, cut to 200 characters'),
    DedupeKey: z.string().nullable(),
    RunAfterDate: isoDate.describe('Due from (the next attempt of a FAILED item)'),
    LeaseOwner: z.string().nullable().describe('The worker running it (RUNNING only)'),
    LeaseExpiresDate: isoDate.nullable(),
    CreatedDate: isoDate,
    UpdatedDate: isoDate,
    StartedDate: isoDate.nullable().describe('Its first attempt'),
    FinishedDate: isoDate.nullable().describe('DONE or DEAD since'),
  })
  .meta({ id: 'WorkItem' });
export type WorkItem = z.infer<typeof workItemDto>;

const STATE_LIST = new RegExp(`^(${WORK_ITEM_STATES.join('|')})(,(${WORK_ITEM_STATES.join('|')}))*$`);

export const workItemsQuery = z
  .object({
    page: pageQueryShape.page,
    pageSize: pageQueryShape.pageSize,
    state: z
      .string()
      .max(100)
      .regex(STATE_LIST, `one state or several separated by commas, of: ${WORK_ITEM_STATES.join(', ')}`)
      .optional()
      .describe(`States, comma-separated (default ${NEEDS_ATTENTION_STATES.join(',')}: what needs an operator)`),
    kind: z.string().max(100).optional().describe('Only this kind'),
  })
  .strict();

export const workItemParams = z.object({ id: z.string().regex(/^[1-9]\d{0,17}$/, 'a work item id is a number') }).strict();
