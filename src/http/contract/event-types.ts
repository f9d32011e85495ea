/**
 * Event types across a brand's programs (Settings → Tracking → Event Types) and their
 * Returns Processing: which of the five options the event type's returns arrive by, and
 * what that option needs. The service checks the values (src/modules/programs/
 * set-returns-processing.ts); these schemas bound the input and document it.
 */
import { z } from 'zod';
import { CHANGE_REASON_CODES } from '../../modules/actions/types.js';
import {
  PULL_INTERVAL_DEFAULT_MINUTES,
  PULL_INTERVAL_MAX_MINUTES,
  PULL_INTERVAL_MIN_MINUTES,
  PULL_PROTOCOLS,
  SALESFORCE_CHANGES,
  SALESFORCE_MATCH_BY,
} from '../../modules/programs/returns-settings.js';
import { EVENT_TYPE_KINDS, RETURNS_PROCESSING } from '../../modules/programs/types.js';
import { isoDate, rowIdText } from './common.js';

const text = (max: number) => z.string().max(max);

const pullDto = z.object({
  Protocol: z.enum(PULL_PROTOCOLS),
  Host: z.string(),
  Port: z.number().int(),
  Username: z.string(),
  Folder: z.string(),
  FilePattern: z.string(),
  ResultFolder: z.string().nullable(),
  DeleteAfterPull: z.boolean(),
  IntervalMinutes: z.number().int(),
});
const emailDto = z.object({
  Address: z
    .string()
    .nullable()
    .describe("The event type's own address, returns-<token>@<MAIL_DOMAIN>; files mailed to it as attachments become batches (GET …/returns-email lists what it received)"),
  FilePattern: z.string(),
  ReturnAddress: z.string().nullable(),
  AllowedSenders: z.array(z.string()),
});
const salesforceStatusDto = z.object({
  Value: z.string(),
  Change: z.enum(SALESFORCE_CHANGES),
  Reason: z.string().nullable(),
  AmountField: z.string().nullable(),
});
const salesforceDto = z.object({
  InstanceUrl: z.string(),
  ObjectName: z.string(),
  MatchField: z.string(),
  MatchBy: z.enum(SALESFORCE_MATCH_BY),
  StatusField: z.string(),
  Statuses: z.array(salesforceStatusDto),
});

export const returnsProcessingDto = z
  .object({
    Method: z.enum(RETURNS_PROCESSING),
    ChannelRunning: z
      .boolean()
      .describe('Whether this installation takes files sent by this method today (each channel of issue 14 says so once it runs); the settings are kept either way'),
    Pull: pullDto.nullable().describe('SFTP_PULL: the server to pull from (no credentials yet)'),
    Email: emailDto.nullable(),
    Salesforce: salesforceDto.nullable(),
    ChangedDate: isoDate.nullable(),
  })
  .meta({ id: 'ReturnsProcessing' });
export type ReturnsProcessingSettings = z.infer<typeof returnsProcessingDto>;
/** One status value of a Salesforce mapping and the change it makes. */
export type SalesforceStatusMapping = z.infer<typeof salesforceStatusDto>;

export const brandEventTypeDto = z
  .object({
    Id: z.number().int().describe('The ActionTrackerId'),
    CampaignId: z.number().int(),
    CampaignName: z.string(),
    Currency: z.string(),
    Name: z.string(),
    Kind: z.enum(EVENT_TYPE_KINDS),
    ReturnsProcessing: returnsProcessingDto,
    CreatedDate: isoDate,
  })
  .meta({ id: 'BrandEventType' });
export type BrandEventType = z.infer<typeof brandEventTypeDto>;

export const returnsProcessingChangeDto = z.object({
  Id: z.string(),
  ChangedDate: isoDate,
  ChangedBy: z.string().nullable().describe('The member who changed it; null when no longer a member'),
  MethodBefore: z.enum(RETURNS_PROCESSING),
  Method: z.enum(RETURNS_PROCESSING),
  Changes: z.array(z.string()).describe('What changed, one line each (Folder: /in → /returns)'),
});
export type ReturnsProcessingChange = z.infer<typeof returnsProcessingChangeDto>;

export const brandEventTypeDetailDto = brandEventTypeDto
  .extend({ ReturnsProcessingHistory: z.array(returnsProcessingChangeDto).describe('Every change, newest first (at most 100)') })
  .meta({ id: 'BrandEventTypeDetail' });
export type BrandEventTypeDetail = z.infer<typeof brandEventTypeDetailDto>;

export const eventTypesQuery = z.object({ programId: rowIdText().optional().describe('Only this program') }).strict();
export const eventTypeIdParams = z.object({ eventTypeId: rowIdText() }).strict();

const pullBody = z
  .object({
    Protocol: z.enum(PULL_PROTOCOLS).describe('SFTP, FTPS (FTP over TLS, recommended over FTP) or plain FTP'),
    Host: text(253),
    Port: z.number().int().min(1).max(65_535).optional().describe('Default 22 for SFTP, 21 otherwise'),
    Username: text(200),
    Folder: text(1_000).describe('Absolute path on your server, e.g. /home/acme/returns'),
    FilePattern: text(200).describe('* any run of characters, ? one character, e.g. returns_*.csv'),
    ResultFolder: text(1_000).nullable().optional().describe('Where result files are uploaded; empty: none'),
    DeleteAfterPull: z.boolean().optional().describe('Default false: files are left in place and not pulled twice'),
    IntervalMinutes: z
      .number()
      .int()
      .min(PULL_INTERVAL_MIN_MINUTES)
      .max(PULL_INTERVAL_MAX_MINUTES)
      .optional()
      .describe(`Default ${PULL_INTERVAL_DEFAULT_MINUTES} (every 4 hours)`),
  })
  .strict();
const emailBody = z
  .object({
    FilePattern: text(1_000).optional().describe('Default "*.csv, *.xml"'),
    ReturnAddress: text(320).nullable().optional().describe('Where results are mailed; empty: back to the sender'),
    AllowedSenders: z.array(text(320)).max(50).optional().describe('Only these senders; empty: anyone with the address'),
  })
  .strict();
const salesforceBody = z
  .object({
    InstanceUrl: text(300).describe('https://<your domain>.my.salesforce.com'),
    ObjectName: text(80).describe('Opportunity, Lead or a custom object (Order__c)'),
    MatchField: text(80).describe('The field that holds the Lockstep action id or the order id'),
    MatchBy: z.enum(SALESFORCE_MATCH_BY),
    StatusField: text(80),
    Statuses: z
      .array(
        z
          .object({
            Value: text(255),
            Change: z.enum(SALESFORCE_CHANGES),
            Reason: z.enum(CHANGE_REASON_CODES).nullable().optional().describe('REVERSE and MODIFY_AMOUNT: the reason recorded'),
            AmountField: text(80).nullable().optional().describe('MODIFY_AMOUNT: the field with the new sale amount'),
          })
          .strict(),
      )
      .max(50),
  })
  .strict();

export const setReturnsProcessingBody = z
  .object({
    Method: z.enum(RETURNS_PROCESSING),
    Pull: pullBody.optional().describe('SFTP_PULL; left out keeps the settings entered before'),
    Email: emailBody.optional().describe('EMAIL; the address is generated'),
    Salesforce: salesforceBody.optional().describe('SALESFORCE; left out keeps the settings entered before'),
    RegenerateEmailAddress: z.boolean().optional().describe('EMAIL: a new address; the old one stops taking files'),
  })
  .strict();
export type SetReturnsProcessingBody = z.infer<typeof setReturnsProcessingBody>;
