/**
 * The tracking module's enums and limits, in a leaf file (no imports): the wire contract
 * (src/http/contract) and the web UI take them from here, the server code too.
 */
export const LINK_STATUSES = ['ACTIVE', 'DISABLED'] as const;
export type LinkStatus = (typeof LINK_STATUSES)[number];

/** What a click on a link does now (`EffectiveState`): see `effectiveState` in queries.ts. */
export const LINK_EFFECTIVE_STATES = ['ACTIVE', 'CONTRACT_EXPIRED', 'DISABLED', 'PARTNER_CLOSED', 'BLOCKED'] as const;
export type LinkEffectiveState = (typeof LINK_EFFECTIVE_STATES)[number];

export const MAX_LINK_LABEL_LENGTH = 200;
