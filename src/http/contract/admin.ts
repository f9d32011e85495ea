/**
 * The admin routes the `lockstep` command line calls on a server that holds the PGlite
 * data folder (routes/admin.ts; left out of /docs). Their bodies follow the casing of the
 * API like every other.
 */
import { z } from 'zod';

export const jobNameParams = z.object({ name: z.string().max(100) }).strict();

/**
 * POST /admin/jobs/:name/run answers newline-delimited JSON, one event a line, so the
 * command line can show progress: a start, progress after each chunk, then done or error.
 */
export type JobRunEvent =
  | { Event: 'start'; Job: string; Total: number | null }
  | { Event: 'progress'; Done: number }
  | { Event: 'done'; Ran: boolean; Done: number; Summary: string }
  | { Event: 'error'; Detail: string };

export const ledgerCheckDto = z.object({ Ok: z.boolean(), Transfers: z.number().int(), Problems: z.array(z.string()) });
export type LedgerCheckResult = z.infer<typeof ledgerCheckDto>;

export const createOperatorBody = z.object({ Email: z.string().max(254), Name: z.string().max(200), Password: z.string().max(256) }).strict();
export type CreateOperatorBody = z.infer<typeof createOperatorBody>;

export const createdOperatorDto = z.object({ UserId: z.number().int() });
export type CreatedOperator = z.infer<typeof createdOperatorDto>;

/** POST /admin/events: outbox events after a cursor (lockstep events tail). */
export const eventsBody = z
  .object({
    After: z.string().regex(/^\d{1,18}$/),
    Limit: z.number().int().min(1).max(1_000).optional(),
    TypePrefix: z.string().max(60).optional(),
    AccountId: z.number().int().positive().max(2_147_483_647).optional(),
  })
  .strict();
export type EventsBody = z.infer<typeof eventsBody>;
