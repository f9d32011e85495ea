/** A statement's status: paid in full, partly, not yet, or past its due date without being paid in full. */
export const STATEMENT_STATUSES = ['OPEN', 'PARTIALLY_PAID', 'PAID', 'OVERDUE'] as const;
export type StatementStatus = (typeof STATEMENT_STATUSES)[number];

/** Who recorded a brand's payment: an operator (money received), or the brand itself through the API. */
export const PAYMENT_SOURCES = ['OPERATOR', 'BRAND'] as const;
export type PaymentSource = (typeof PAYMENT_SOURCES)[number];

/** Lines of a statement per page, and the most a download holds. */
export const MAX_STATEMENT_LINES_PAGE = 500;
