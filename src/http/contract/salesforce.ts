/**
 * The Salesforce returns channel (Returns Processing → SALESFORCE, issue 14 item 4): the
 * Outbound Message URL (regenerable), the poll credentials (write only: the API says
 * whether some are set, never what), "Poll now", and the last messages, polls and
 * notifications with their errors. The mapping itself is the event type's Returns
 * Processing (PUT /event-types/:id/returns-processing).
 */
import { z } from 'zod';
import { isoDate } from './common.js';

export const salesforceCredentialsBody = z
  .object({
    ClientId: z.string().min(1).max(4000).describe("The connected app's consumer key"),
    ClientSecret: z.string().min(1).max(4000).describe("The connected app's consumer secret"),
    RefreshToken: z.string().max(4000).nullable().optional().describe('An OAuth refresh token (refresh_token scope); or Username and Password instead'),
    Username: z.string().max(4000).nullable().optional(),
    Password: z.string().max(4000).nullable().optional(),
    SecurityToken: z.string().max(4000).nullable().optional().describe("The user's security token, appended to the password at login"),
    IntervalMinutes: z.number().int().nullable().optional().describe('How often to poll, 5 to 1440 minutes; default 15'),
  })
  .strict();

const statusMappingDto = z.object({
  Value: z.string(),
  Change: z.enum(['REVERSE', 'MODIFY_AMOUNT', 'RESET', 'APPROVE']),
  Reason: z.string().nullable(),
  AmountField: z.string().nullable(),
});

const messageDto = z.object({
  Id: z.string(),
  Source: z.enum(['OUTBOUND', 'POLL']),
  ReceivedDate: isoDate,
  OrganizationId: z.string().nullable(),
  Notifications: z.number().int().describe('Notifications (or records, for a poll) in the message'),
  New: z.number().int().describe('Not taken before'),
  Duplicates: z.number().int().describe('Taken before (a redelivery): nothing applied again'),
  Skipped: z.number().int().describe('New, but mapping to no change'),
  BatchId: z.string().nullable().describe('The returns batch the mapped changes became'),
  BatchStatus: z.string().nullable(),
  Status: z.enum(['OK', 'ERROR']),
  Error: z.string().nullable(),
});

const notificationDto = z.object({
  NotificationId: z.string(),
  RecordId: z.string(),
  StatusValue: z.string().nullable(),
  Change: z.string().nullable(),
  Outcome: z.enum(['QUEUED', 'SKIPPED']),
  Message: z.string().nullable().describe('Why a skipped notification maps to nothing'),
  BatchId: z.string().nullable(),
  ReceivedDate: isoDate,
});

export const salesforceStatusDto = z
  .object({
    EventTypeId: z.number().int(),
    Method: z.string(),
    Mapping: z
      .object({
        InstanceUrl: z.string(),
        ObjectName: z.string(),
        MatchField: z.string(),
        MatchBy: z.enum(['ACTION_ID', 'ORDER_ID']),
        StatusField: z.string(),
        Statuses: z.array(statusMappingDto),
      })
      .nullable(),
    OutboundMessageUrl: z.string().nullable().describe("The endpoint URL for the Outbound Message in Salesforce (made when the event type is set to SALESFORCE); keep it secret"),
    Credentials: z.object({
      Set: z.boolean(),
      Kind: z.enum(['REFRESH_TOKEN', 'PASSWORD']).nullable(),
      SavedDate: isoDate.nullable(),
      SavedBy: z.string().nullable(),
    }),
    PollIntervalMinutes: z.number().int(),
    PollCursor: isoDate.nullable().describe('The newest SystemModstamp taken by a poll'),
    LastPollDate: isoDate.nullable(),
    LastPollStatus: z.enum(['OK', 'ERROR']).nullable(),
    LastError: z.string().nullable().describe("The last poll's error, if it failed"),
    NextPollDate: isoDate.nullable(),
    Messages: z.array(messageDto).describe('The last Outbound Messages and polls, newest first'),
    Notifications: z.array(notificationDto).describe('The last notifications taken, newest first'),
  })
  .describe('The Salesforce channel of an event type');
export type SalesforceStatusDto = z.infer<typeof salesforceStatusDto>;

export const salesforcePollQueuedDto = z.object({ WorkItemId: z.string(), Status: z.literal('QUEUED') });
