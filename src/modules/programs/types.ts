/**
 * The programs module's enums, in a leaf file (no imports): the wire contract
 * (src/http/contract) and the web UI take them from here, the server code too.
 */
export const EVENT_TYPE_KINDS = ['SALE', 'LEAD', 'CLICK', 'OTHER'] as const;
export type EventTypeKind = (typeof EVENT_TYPE_KINDS)[number];

/** How a brand sends an event type's returns (reversals, modifications). */
export const RETURNS_PROCESSING = ['API', 'SFTP_UPLOAD', 'SFTP_PULL', 'EMAIL', 'SALESFORCE'] as const;
export type ReturnsProcessing = (typeof RETURNS_PROCESSING)[number];

export const PROGRAM_STATUSES = ['ACTIVE', 'INACTIVE'] as const;
export type ProgramStatus = (typeof PROGRAM_STATUSES)[number];

export const TEMPLATE_TERMS_STATUSES = ['ACTIVE', 'ARCHIVED'] as const;
export type TemplateTermsStatus = (typeof TEMPLATE_TERMS_STATUSES)[number];
