/**
 * The event type an e-mail address names (`returns-<token>@<MAIL_DOMAIN>`, issue 14 item 3),
 * as the SMTP listener reads it at RCPT TO. The token is the whole key: 128 random bits,
 * unique, replaced when the brand regenerates the address (set-returns-processing.ts).
 */
import type { Sql } from '../../db/types.js';
import { EMAIL_FILE_PATTERN_DEFAULT, type EmailSettings, type ReturnsSettings } from './returns-settings.js';
import type { ReturnsProcessing } from './types.js';

/** The local part of an event type's address. */
export const RETURNS_EMAIL_LOCAL_PREFIX = 'returns-';

/** `returns-<token>@<domain>`. */
export function returnsEmailAddress(token: string, mailDomain: string): string {
  return `${RETURNS_EMAIL_LOCAL_PREFIX}${token}@${mailDomain}`;
}

/** The token in an address's local part, or undefined when it is not one of ours in shape. */
export function emailTokenOf(localPart: string): string | undefined {
  const match = /^returns-([0-9a-f]{32})$/.exec(localPart.toLowerCase());
  return match?.[1];
}

export interface EmailEventType {
  id: number;
  name: string;
  programId: number;
  brandAccountId: number;
  brandActive: boolean;
  returnsProcessing: ReturnsProcessing;
  email: EmailSettings;
}

/** The event type whose address holds this token, whatever its option; undefined for none (unknown, or replaced). */
export async function findEventTypeByEmailToken(sql: Sql, token: string): Promise<EmailEventType | undefined> {
  const { rows } = await sql.query<Omit<EmailEventType, 'email'> & { settings: ReturnsSettings }>(
    `select e.id, e.name, p.id as "programId", p.brand_account_id as "brandAccountId", a.status = 'ACTIVE' as "brandActive",
            e.returns_processing as "returnsProcessing", e.returns_settings as settings
       from event_types e join programs p on p.id = e.program_id join accounts a on a.id = p.brand_account_id
      where e.returns_email_token = $1`,
    [token],
  );
  const row = rows[0];
  if (!row) return undefined;
  const { settings, ...rest } = row;
  return { ...rest, email: settings.EMAIL ?? { filePattern: EMAIL_FILE_PATTERN_DEFAULT, returnAddress: null, allowedSenders: [] } };
}
