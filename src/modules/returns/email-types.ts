/**
 * The returns e-mail channel's enums, in a leaf file (no imports): the wire contract and
 * the web UI take them from here, as the returns module's own code does.
 */
export const EMAIL_MESSAGE_STATUSES = ['RECEIVING', 'ACCEPTED', 'REFUSED', 'DUPLICATE'] as const;
export type EmailMessageStatus = (typeof EMAIL_MESSAGE_STATUSES)[number];

/** What became of one attachment. */
export const EMAIL_ATTACHMENT_OUTCOMES = ['BATCH', 'SAME_FILE', 'NOT_MATCHING', 'IGNORED', 'REFUSED'] as const;
export type EmailAttachmentOutcome = (typeof EMAIL_ATTACHMENT_OUTCOMES)[number];
