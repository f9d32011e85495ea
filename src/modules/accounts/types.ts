/**
 * The accounts module's enums, in a leaf file (no imports): the wire contract
 * (src/http/contract) and the web UI take them from here, the server code too.
 */
export const ACCOUNT_KINDS = ['BRAND', 'PARTNER'] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];

export const ROLES = ['ADMIN', 'USER'] as const;
export type Role = (typeof ROLES)[number];

export const ACCOUNT_STATUSES = ['ACTIVE', 'CLOSED'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

/** The longest name a user may give themselves. */
export const MAX_USER_NAME_LENGTH = 200;
