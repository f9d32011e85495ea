/**
 * What the structured logs (pino, through Fastify and the command line) may hold: ids,
 * kinds, counts, timings, never personal data. Fields that carry it are redacted by
 * name at any of the first levels of a log line, credentials in headers are removed, and
 * a request's URL is logged without its query string (a search may hold an e-mail).
 */
const PERSONAL_FIELDS = [
  'email',
  'Email',
  'name',
  'Name',
  'holderName',
  'BeneficiaryAccountName',
  'iban',
  'Iban',
  'IBAN',
  'accountNumber',
  'BankAccountNumber',
  'paypalEmail',
  'PayPalEmail',
  'password',
  'Password',
  'taxId',
  'TaxId',
  'to',
  'text',
  'body',
  'Body',
  'Message',
];

export const LOG_REDACT_PATHS: string[] = [
  ...PERSONAL_FIELDS,
  ...PERSONAL_FIELDS.map((field) => `*.${field}`),
  ...PERSONAL_FIELDS.map((field) => `*.*.${field}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
];

export const LOG_REDACT = { paths: LOG_REDACT_PATHS, censor: '[redacted]' };

/** A request as a log line shows it: method, path without the query, and the client. */
export function requestForLog(req: { method?: string; url?: string; ip?: string; id?: unknown }): Record<string, unknown> {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  // The token of a Salesforce Outbound Message URL is the credential that lets Salesforce in: never logged.
  const path = (q === -1 ? url : url.slice(0, q)).replace(/^(\/salesforce\/outbound\/)[^/]+/, '$1…');
  return { method: req.method, url: q === -1 ? path : `${path}?…`, remoteAddress: req.ip, reqId: req.id };
}

/** Options for pino (the command line) and Fastify's logger (the server), at a level. */
export function loggerOptions(level: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { level, redact: LOG_REDACT, serializers: { req: requestForLog }, ...extra };
}
