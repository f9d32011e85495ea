import { randomBytes } from 'node:crypto';
import type { ServiceContext } from '../../core/context.js';
import { invalid, notFound } from '../../core/errors.js';
import type { Sql } from '../../db/types.js';
import { requireAccountActor, type Actor } from '../accounts/actor.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { getBrandEventTypeOrThrow, type BrandEventTypeRow } from './brand-event-types.js';
import {
  EMAIL_FILE_PATTERN_DEFAULT,
  PULL_INTERVAL_DEFAULT_MINUTES,
  PULL_INTERVAL_MAX_MINUTES,
  PULL_INTERVAL_MIN_MINUTES,
  type EmailSettings,
  type PullSettings,
  type ReturnsSettings,
  type SalesforceSettings,
} from './returns-settings.js';
import type { ReturnsProcessing } from './types.js';

export interface SetReturnsProcessingInput {
  method: ReturnsProcessing;
  /** SFTP_PULL: the whole settings; left out keeps the ones entered before. */
  pull?: Omit<PullSettings, 'port' | 'resultFolder' | 'deleteAfterPull' | 'intervalMinutes'> &
    Partial<Pick<PullSettings, 'port' | 'resultFolder' | 'deleteAfterPull' | 'intervalMinutes'>>;
  email?: Partial<EmailSettings>;
  salesforce?: SalesforceSettings;
  /** EMAIL: a new address; the old one stops taking files. */
  regenerateEmailAddress?: boolean;
}

interface FieldProblem {
  field: string;
  message: string;
}

const HOST = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$|^[0-9A-Fa-f:.]{2,45}$/;
const EMAIL = /^[^\s@<>(),;:"]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: a file pattern holds no control character
const FILE_PATTERN = /^[^/\\\u0000-\u001f]{1,200}$/;
const SALESFORCE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,79}$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what a path must not hold
const CONTROL = /[\u0000-\u001f\u007f]/;

function checkPull(pull: NonNullable<SetReturnsProcessingInput['pull']>, problems: FieldProblem[]): PullSettings {
  const host = pull.host.trim();
  if (!HOST.test(host)) problems.push({ field: 'Pull.Host', message: `Host "${host}" is not a host name or IP address (e.g. sftp.example.com).` });
  const port = pull.port ?? (pull.protocol === 'SFTP' ? 22 : 21);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) problems.push({ field: 'Pull.Port', message: 'Port must be a whole number from 1 to 65535.' });
  const username = pull.username.trim();
  if (!username || CONTROL.test(username)) problems.push({ field: 'Pull.Username', message: 'Username must not be empty.' });
  const folder = pull.folder.trim();
  if (!folder.startsWith('/') || CONTROL.test(folder)) {
    problems.push({ field: 'Pull.Folder', message: `Folder must be an absolute path on your server, such as /home/acme/returns.` });
  }
  const filePattern = pull.filePattern.trim();
  if (!FILE_PATTERN.test(filePattern)) {
    problems.push({ field: 'Pull.FilePattern', message: 'File pattern is a file name with * (any run of characters) and ? (one character), such as returns_*.csv; no folders.' });
  }
  const resultFolder = pull.resultFolder?.trim() || null;
  if (resultFolder !== null && (!resultFolder.startsWith('/') || CONTROL.test(resultFolder))) {
    problems.push({ field: 'Pull.ResultFolder', message: 'Result folder must be an absolute path on your server, or empty for none.' });
  }
  const intervalMinutes = pull.intervalMinutes ?? PULL_INTERVAL_DEFAULT_MINUTES;
  if (!Number.isInteger(intervalMinutes) || intervalMinutes < PULL_INTERVAL_MIN_MINUTES || intervalMinutes > PULL_INTERVAL_MAX_MINUTES) {
    problems.push({
      field: 'Pull.IntervalMinutes',
      message: `The pull interval is from ${PULL_INTERVAL_MIN_MINUTES} minutes to ${PULL_INTERVAL_MAX_MINUTES} minutes (once a day); the default is every 4 hours.`,
    });
  }
  return { protocol: pull.protocol, host, port, username, folder, filePattern, resultFolder, deleteAfterPull: pull.deleteAfterPull ?? false, intervalMinutes };
}

function checkEmail(email: Partial<EmailSettings>, before: EmailSettings | undefined, problems: FieldProblem[]): EmailSettings {
  const filePattern = (email.filePattern ?? before?.filePattern ?? EMAIL_FILE_PATTERN_DEFAULT).trim();
  if (!filePattern.split(',').every((p) => FILE_PATTERN.test(p.trim()))) {
    problems.push({ field: 'Email.FilePattern', message: 'File pattern is one or more file names with * and ?, comma-separated, such as *.csv, *.xml.' });
  }
  const returnAddress = email.returnAddress === undefined ? (before?.returnAddress ?? null) : email.returnAddress?.trim() || null;
  if (returnAddress !== null && !EMAIL.test(returnAddress)) {
    problems.push({ field: 'Email.ReturnAddress', message: 'Return address must be an e-mail address, or empty to answer the sender.' });
  }
  const allowedSenders = (email.allowedSenders ?? before?.allowedSenders ?? []).map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
  allowedSenders.forEach((sender, i) => {
    if (!EMAIL.test(sender)) problems.push({ field: `Email.AllowedSenders.${i}`, message: `"${sender}" is not an e-mail address.` });
  });
  return { filePattern, returnAddress, allowedSenders: [...new Set(allowedSenders)] };
}

function checkSalesforce(sf: SalesforceSettings, problems: FieldProblem[]): SalesforceSettings {
  const instanceUrl = sf.instanceUrl.trim().replace(/\/+$/, '');
  let url: URL | null = null;
  try {
    url = new URL(instanceUrl);
  } catch {
    url = null;
  }
  if (url?.protocol !== 'https:' || url.pathname !== '/' || url.search || url.hash || url.username) {
    problems.push({ field: 'Salesforce.InstanceUrl', message: 'Instance URL is your Salesforce address, such as https://acme.my.salesforce.com (https, no path).' });
  }
  for (const [field, value] of [
    ['ObjectName', sf.objectName],
    ['MatchField', sf.matchField],
    ['StatusField', sf.statusField],
  ] as const) {
    if (!SALESFORCE_NAME.test(value.trim())) {
      problems.push({ field: `Salesforce.${field}`, message: `${field} "${value}" is not a Salesforce API name (letters, digits and _, such as Opportunity or Order__c).` });
    }
  }
  const seen = new Set<string>();
  const statuses = sf.statuses.map((s, i) => {
    const value = s.value.trim();
    if (!value || CONTROL.test(value)) problems.push({ field: `Salesforce.Statuses.${i}.Value`, message: 'A status value must not be empty.' });
    if (seen.has(value)) problems.push({ field: `Salesforce.Statuses.${i}.Value`, message: `Status "${value}" is mapped twice; map each value once.` });
    seen.add(value);
    const needsReason = s.change === 'REVERSE' || s.change === 'MODIFY_AMOUNT';
    if (needsReason && !s.reason) problems.push({ field: `Salesforce.Statuses.${i}.Reason`, message: `${s.change} needs a reason code.` });
    const amountField = s.amountField?.trim() || null;
    if (s.change === 'MODIFY_AMOUNT' && (amountField === null || !SALESFORCE_NAME.test(amountField))) {
      problems.push({ field: `Salesforce.Statuses.${i}.AmountField`, message: 'MODIFY_AMOUNT needs the Salesforce field that holds the new sale amount (such as Amount).' });
    }
    return { value, change: s.change, reason: needsReason ? s.reason : null, amountField: s.change === 'MODIFY_AMOUNT' ? amountField : null };
  });
  if (statuses.length === 0) problems.push({ field: 'Salesforce.Statuses', message: 'Map at least one status value to a change.' });
  return {
    instanceUrl,
    objectName: sf.objectName.trim(),
    matchField: sf.matchField.trim(),
    matchBy: sf.matchBy,
    statusField: sf.statusField.trim(),
    statuses,
  };
}

/** The settings of the methods that need some, as the audit log shows them: everything but the e-mail token (the address is a key). */
function auditView(method: ReturnsProcessing, settings: ReturnsSettings, hasEmailAddress: boolean) {
  return { method, settings, emailAddress: hasEmailAddress ? 'set' : 'none' };
}

/** 128 random bits in lower-case hex: unguessable, and safe in the local part of an address whatever the mail server folds. */
const newEmailToken = () => randomBytes(16).toString('hex');

/**
 * Sets an event type's Returns Processing: the option and what it needs. Any brand user may
 * change it at any time; each change is audited with what it was before and after, and
 * applies to files that arrive from then on (a batch already received is applied as usual).
 * Choosing EMAIL the first time gives the event type its own unguessable address, kept when
 * the brand switches away and back; `regenerateEmailAddress` replaces it.
 */
export async function setReturnsProcessing(
  ctx: ServiceContext,
  actor: Actor,
  eventTypeId: number,
  input: SetReturnsProcessingInput,
): Promise<BrandEventTypeRow> {
  const brand = requireAccountActor(actor, 'BRAND');
  return ctx.db.transaction(async (tx) => {
    const before = await lockOwnEventTypeOrThrow(tx, brand.accountId, eventTypeId);
    const problems: FieldProblem[] = [];
    const settings: ReturnsSettings = { ...before.returnsSettings };
    const given = { pull: input.pull !== undefined, email: input.email !== undefined, salesforce: input.salesforce !== undefined };
    const forOther = [
      ['Pull', given.pull && input.method !== 'SFTP_PULL', 'SFTP_PULL'],
      ['Email', given.email && input.method !== 'EMAIL', 'EMAIL'],
      ['Salesforce', given.salesforce && input.method !== 'SALESFORCE', 'SALESFORCE'],
    ] as const;
    for (const [field, wrong, method] of forOther) {
      if (wrong) problems.push({ field, message: `${field} settings are for Method ${method}; this request sets Method ${input.method}.` });
    }
    if (input.regenerateEmailAddress && input.method !== 'EMAIL') {
      problems.push({ field: 'RegenerateEmailAddress', message: 'A new e-mail address is for Method EMAIL.' });
    }
    if (input.method === 'SFTP_PULL') {
      if (input.pull) settings.SFTP_PULL = checkPull(input.pull, problems);
      else if (!settings.SFTP_PULL) problems.push({ field: 'Pull', message: 'SFTP_PULL needs Pull: Protocol, Host, Username, Folder and FilePattern.' });
    }
    if (input.method === 'EMAIL') settings.EMAIL = checkEmail(input.email ?? {}, settings.EMAIL, problems);
    if (input.method === 'SALESFORCE') {
      if (input.salesforce) settings.SALESFORCE = checkSalesforce(input.salesforce, problems);
      else if (!settings.SALESFORCE) {
        problems.push({ field: 'Salesforce', message: 'SALESFORCE needs Salesforce: InstanceUrl, ObjectName, MatchField, MatchBy, StatusField and Statuses.' });
      }
    }
    if (problems.length) throw invalid(problems.map((p) => `${p.field}: ${p.message}`).join(' '), { errors: problems });

    const token = input.method === 'EMAIL' && (before.returnsEmailToken === null || input.regenerateEmailAddress) ? newEmailToken() : before.returnsEmailToken;
    const unchanged =
      before.returnsProcessing === input.method && token === before.returnsEmailToken && JSON.stringify(settings) === JSON.stringify(before.returnsSettings);
    if (unchanged) return before;
    const now = ctx.clock.now();
    await tx.query(
      `update event_types set returns_processing = $2, returns_settings = $3, returns_email_token = $4, returns_processing_changed_at = $5 where id = $1`,
      [eventTypeId, input.method, JSON.stringify(settings), token, now],
    );
    await recordAuditEvent(tx, {
      at: now,
      actorUserId: brand.userId,
      accountId: brand.accountId,
      action: 'event_type.returns_processing_changed',
      subject: `event_type:${eventTypeId}`,
      detail: {
        before: auditView(before.returnsProcessing, before.returnsSettings, before.returnsEmailToken !== null),
        after: auditView(input.method, settings, token !== null),
        ...(token !== before.returnsEmailToken && before.returnsEmailToken !== null ? { emailAddressRegenerated: true } : {}),
      },
    });
    return getBrandEventTypeOrThrow(tx, brand.accountId, eventTypeId);
  });
}

async function lockOwnEventTypeOrThrow(tx: Sql, brandAccountId: number, eventTypeId: number): Promise<BrandEventTypeRow> {
  const { rows } = await tx.query<{ id: number }>(
    `select e.id from event_types e join programs p on p.id = e.program_id where e.id = $1 and p.brand_account_id = $2 for update of e`,
    [eventTypeId, brandAccountId],
  );
  if (!rows[0]) throw notFound(`Event type ${eventTypeId} does not exist in this account.`);
  return getBrandEventTypeOrThrow(tx, brandAccountId, eventTypeId);
}
