/**
 * The tracking module's enums and limits, in a leaf file (no imports): the wire contract
 * (src/http/contract) and the web UI take them from here, the server code too.
 */
export const LINK_STATUSES = ['ACTIVE', 'DISABLED'] as const;
export type LinkStatus = (typeof LINK_STATUSES)[number];

export const MAX_LINK_LABEL_LENGTH = 200;
