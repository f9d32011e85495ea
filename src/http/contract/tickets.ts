/** Support tickets: what a user asks the platform's operators for, and the thread both ways. */
import { z } from 'zod';
import { CHANGE_REASON_CODES } from '../../modules/actions/types.js';
import { SETTABLE_TICKET_STATUSES, TICKET_LIMITS, TICKET_STATUSES, TICKET_TYPES } from '../../modules/tickets/types.js';
import { INT4_MAX, isoDate, pageOf, pageQueryShape, rowId } from './common.js';

const bigIdText = () => z.string().regex(/^[1-9][0-9]{0,17}$/, 'a positive integer id');

export const ticketParams = z.object({ id: bigIdText() }).strict();
export const ticketAttachmentParams = z.object({ id: bigIdText(), attachmentId: bigIdText() }).strict();

export const ticketDto = z
  .object({
    Id: z.string(),
    AccountId: z.number().int().describe('The account it was opened for'),
    AccountName: z.string(),
    OpenedBy: z.string().nullable().describe("The user who opened it (null once that user's data is erased)"),
    Type: z.enum(TICKET_TYPES),
    Subject: z.string(),
    Status: z.enum(TICKET_STATUSES),
    AccountIds: z.array(z.number().int()).describe('The accounts it concerns'),
    ActionIds: z.array(z.string()).describe('The actions it concerns'),
    Currency: z.string().nullable().describe('MANUAL_PAYSTUB, FORFEIT_BALANCE: the balance it is about'),
    ToPartnerId: z.number().int().nullable().describe('REATTRIBUTION: the partner to credit'),
    Reason: z.string().nullable().describe('REATTRIBUTION, CPC_REVERSAL: the reason code of the change'),
    DeleteMemberAccount: z.boolean().describe("ACCOUNT_CLOSURE: the requester's own login is to be deleted with the accounts"),
    OpenedDate: isoDate,
    UpdatedDate: isoDate,
    ClosedDate: isoDate.nullable().describe('When it was resolved or rejected'),
    Outcome: z.string().nullable().describe('What resolving it did, or why it was rejected'),
    Messages: z.number().int(),
  })
  .meta({ id: 'Ticket' });
export type Ticket = z.infer<typeof ticketDto>;

export const ticketMessageDto = z
  .object({
    Id: z.string(),
    Author: z.enum(['ACCOUNT', 'OPERATOR', 'SYSTEM']).describe('A user of the account, an operator, or the platform (what resolving did)'),
    AuthorName: z.string().nullable(),
    Body: z.string(),
    Date: isoDate,
    Attachments: z.array(z.object({ Id: z.string(), FileName: z.string(), ContentType: z.string(), Size: z.number().int() })),
  })
  .meta({ id: 'TicketMessage' });
export type TicketMessage = z.infer<typeof ticketMessageDto>;

export const ticketDetailDto = ticketDto.extend({ Thread: z.array(ticketMessageDto) }).meta({ id: 'TicketDetail' });
export type TicketDetail = z.infer<typeof ticketDetailDto>;

const attachmentBody = z
  .object({
    FileName: z.string().min(1).max(200),
    ContentType: z.string().min(1).max(200).default('application/octet-stream'),
    ContentBase64: z
      .string()
      .max(Math.ceil((TICKET_LIMITS.attachmentBytes * 4) / 3) + 4)
      .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64'),
  })
  .strict();

const messageShape = {
  Message: z.string().min(1).max(TICKET_LIMITS.messageChars),
  Attachments: z.array(attachmentBody).max(TICKET_LIMITS.attachmentsPerMessage).optional(),
};

export const openTicketBody = z
  .object({
    Type: z.enum(TICKET_TYPES),
    Subject: z.string().min(1).max(TICKET_LIMITS.subjectChars),
    ...messageShape,
    AccountIds: z.array(rowId()).max(TICKET_LIMITS.accounts).optional().describe('The accounts it concerns (accounts you belong to; admins only for other accounts); the current one when left out'),
    ActionIds: z.array(bigIdText()).max(TICKET_LIMITS.actions).optional(),
    Currency: z.string().regex(/^[A-Z]{3}$/, 'a currency code').optional(),
    ToPartnerId: z.number().int().positive().max(INT4_MAX).optional(),
    Reason: z.enum(CHANGE_REASON_CODES).optional(),
    DeleteMemberAccount: z
      .boolean()
      .optional()
      .describe("ACCOUNT_CLOSURE: also delete the requester's own login (member account) when the accounts are closed"),
  })
  .strict();
export type OpenTicketBody = z.infer<typeof openTicketBody>;

export const ticketMessageBody = z.object(messageShape).strict();
export type TicketMessageBody = z.infer<typeof ticketMessageBody>;

export const ticketStatusBody = z
  .object({ Status: z.enum(SETTABLE_TICKET_STATUSES), Message: z.string().min(1).max(TICKET_LIMITS.messageChars).optional().describe('Required to reject: why, for the requester') })
  .strict();
export const resolveTicketBody = z.object({ Message: z.string().min(1).max(TICKET_LIMITS.messageChars).optional() }).strict();

export const ticketListQuery = z
  .object({
    ...pageQueryShape,
    status: z.enum(TICKET_STATUSES).optional(),
    type: z.enum(TICKET_TYPES).optional(),
    olderThanDays: z.coerce.number().int().min(1).max(36_500).optional().describe('Only tickets opened at least this many days ago'),
  })
  .strict();
export type TicketListQuery = z.infer<typeof ticketListQuery>;
export const ticketPageDto = pageOf(ticketDto);

/** What an operator sees of each account a ticket names, read now. */
export const ticketAccountFactsDto = z
  .object({
    AccountId: z.number().int(),
    Name: z.string(),
    Kind: z.string(),
    Status: z.string(),
    ActiveContracts: z.number().int(),
    PendingActions: z.number().int(),
    Balances: z.array(z.object({ Account: z.string(), Currency: z.string(), Balance: z.string() })),
  })
  .meta({ id: 'TicketAccountFacts' });
export type TicketAccountFacts = z.infer<typeof ticketAccountFactsDto>;
export const ticketAccountFactsListDto = z.object({ Items: z.array(ticketAccountFactsDto) });
