/**
 * What each Returns Processing option needs, as stored on the event type
 * (`event_types.returns_settings`, keyed by option). The option itself is
 * `event_types.returns_processing`. Leaf types and checks, no database: the wire contract,
 * the service and the channels (issue 14) read the same shapes.
 */
import type { ReturnsProcessing } from './types.js';

export const PULL_PROTOCOLS = ['SFTP', 'FTPS', 'FTP'] as const;
export type PullProtocol = (typeof PULL_PROTOCOLS)[number];

/** Every 4 hours by default (impact.com's pull), at least every 15 minutes, at most once a day. */
export const PULL_INTERVAL_DEFAULT_MINUTES = 240;
export const PULL_INTERVAL_MIN_MINUTES = 15;
export const PULL_INTERVAL_MAX_MINUTES = 1440;
export const EMAIL_FILE_PATTERN_DEFAULT = '*.csv, *.xml';

export const SALESFORCE_MATCH_BY = ['ACTION_ID', 'ORDER_ID'] as const;
export const SALESFORCE_CHANGES = ['REVERSE', 'MODIFY_AMOUNT', 'RESET', 'APPROVE'] as const;
export type SalesforceChange = (typeof SALESFORCE_CHANGES)[number];

/** Pull from the brand's own server. The credentials are not kept here: the pull channel asks for them and encrypts them. */
export interface PullSettings {
  protocol: PullProtocol;
  host: string;
  port: number;
  username: string;
  /** Absolute path on the brand's server. */
  folder: string;
  /** `*` any run of characters, `?` one character. */
  filePattern: string;
  /** Where results are uploaded back; null: none. */
  resultFolder: string | null;
  deleteAfterPull: boolean;
  intervalMinutes: number;
}

export interface EmailSettings {
  /** Attachments matching one of these patterns (comma-separated) become batches. */
  filePattern: string;
  /** Where results are mailed; null: back to the sender. */
  returnAddress: string | null;
  /** Only these senders may send files; empty: anyone who knows the address. */
  allowedSenders: string[];
}

export interface SalesforceStatusMapping {
  /** The value of the status field that triggers the change. */
  value: string;
  change: SalesforceChange;
  /** The reason recorded on the action (REVERSE, MODIFY_AMOUNT). */
  reason: string | null;
  /** MODIFY_AMOUNT: the Salesforce field that holds the new sale amount. */
  amountField: string | null;
}

export interface SalesforceSettings {
  /** https://<your domain>.my.salesforce.com */
  instanceUrl: string;
  /** Opportunity, Lead or a custom object (`Order__c`). */
  objectName: string;
  /** The field holding the Lockstep action id or the order id. */
  matchField: string;
  matchBy: (typeof SALESFORCE_MATCH_BY)[number];
  statusField: string;
  statuses: SalesforceStatusMapping[];
}

/** Per option, what the brand entered; an option never chosen has no entry. */
export interface ReturnsSettings {
  SFTP_PULL?: PullSettings;
  EMAIL?: EmailSettings;
  SALESFORCE?: SalesforceSettings;
}

/**
 * Whether the option's channel takes files today. API is the native and impact-compatible
 * API (and the browser upload and the CLI, which are the API's); the other four are built by
 * issue 14, and until then the UI says so instead of pretending.
 */
export const RETURNS_CHANNEL_RUNNING: Record<ReturnsProcessing, boolean> = {
  API: true,
  SFTP_UPLOAD: true,
  SFTP_PULL: true,
  EMAIL: true,
  SALESFORCE: true,
};
