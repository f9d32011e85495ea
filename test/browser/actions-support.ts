import { expect, type APIRequestContext, type Locator, type Page } from '@playwright/test';
import { apiAs, DEMO_PASSWORD } from './support.js';
import { actionStateLabel, operationLabel, reasonLabel } from '../../web/src/lib/labels.js';
import type { Action, ActionDetail, ActionPage, Modification } from '../../src/http/contract/actions.js';
import type { EventType, Program } from '../../src/http/contract/programs.js';

/** An action as GET /api/v1/actions returns it (the wire contract). */
export type ApiAction = Action;
export type ApiModification = Modification;
export type ApiActionDetail = ActionDetail;

const DAY_MS = 86_400_000;

/**
 * An action no test has touched (only its CREATE entry) and far enough from its locking
 * date that nothing locks it during the run. Tests run one at a time against one server,
 * and each changes the action it picked, so the next test picks another one.
 */
export function untouched(a: ApiAction): boolean {
  return a.ModificationCount === 1 && a.State === 'PENDING' && Date.parse(a.LockingDate) > Date.now() + 2 * DAY_MS;
}

export async function listActions(request: APIRequestContext, accountId: number, query: Record<string, string> = {}): Promise<ApiAction[]> {
  const params = new URLSearchParams({ pageSize: '500', sort: 'Id', order: 'asc', ...query });
  const page = await apiAs<ActionPage>(request, accountId, 'GET', `/api/v1/actions?${params}`);
  return page.Items;
}

export async function pickActions(
  request: APIRequestContext,
  accountId: number,
  count: number,
  predicate: (a: ApiAction) => boolean,
  query: Record<string, string> = { state: 'PENDING' },
): Promise<ApiAction[]> {
  const found = (await listActions(request, accountId, query)).filter((a) => untouched(a) && predicate(a)).slice(0, count);
  if (found.length < count) throw new Error(`The demo data has only ${found.length} untouched actions of the kind this test needs (${count} wanted).`);
  return found;
}

export async function pickAction(request: APIRequestContext, accountId: number, predicate: (a: ApiAction) => boolean): Promise<ApiAction> {
  return (await pickActions(request, accountId, 1, predicate))[0]!;
}

export function actionDetail(request: APIRequestContext, accountId: number, id: string): Promise<ApiActionDetail> {
  return apiAs<ApiActionDetail>(request, accountId, 'GET', `/api/v1/actions/${id}`);
}

const formatters = new Map<string, Intl.NumberFormat>();
/** The UI's money format: "$1,234.50", "CA$12.00", "€9.90" (Intl with the decimal string). */
export function money(amount: string, currency: string, signed = false): string {
  const key = `${currency}:${signed}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.NumberFormat('en-US', { style: 'currency', currency, ...(signed ? { signDisplay: 'exceptZero' as const } : {}) });
    formatters.set(key, f);
  }
  return f.format(amount as Intl.StringNumericLiteral);
}

/** The id (ActionTrackerId) of a program's event type, by names. */
export async function eventTypeId(request: APIRequestContext, accountId: number, programName: string, eventTypeName: string): Promise<number> {
  const programs = await apiAs<Program[]>(request, accountId, 'GET', '/api/v1/programs');
  const program = programs.find((p) => p.Name === programName);
  if (!program) throw new Error(`No program named ${programName}.`);
  const types = await apiAs<EventType[]>(request, accountId, 'GET', `/api/v1/programs/${program.Id}/event-types`);
  const type = types.find((t) => t.Name === eventTypeName);
  if (!type) throw new Error(`${programName} has no event type named ${eventTypeName}.`);
  return type.Id;
}

export function actionRow(page: Page, id: string): Locator {
  return page.getByTestId(`action-row-${id}`);
}

/** Hover the row, open its More menu and pick an item. */
export async function moreMenu(page: Page, id: string, item: string | RegExp): Promise<void> {
  await actionRow(page, id).hover();
  await page.getByTestId(`more-${id}`).click();
  await page.getByRole('menuitem', { name: item }).click();
}

export function detailsPanel(page: Page): Locator {
  return page.getByTestId('action-details');
}

/** The newest entry of an operation in the open details panel's modification history. */
export function historyEntry(page: Page, operation: string): Locator {
  return detailsPanel(page).getByTestId('modification-history').locator(`tbody tr[data-operation="${operation}"]`).first();
}

/** Checks a history entry against what the API recorded for it. */
export async function expectHistoryEntry(entry: Locator, m: ApiModification, currency: string, actor: string): Promise<void> {
  await expect(entry.locator('[data-column="operation"]')).toHaveText(operationLabel(m.Operation));
  await expect(entry.locator('[data-column="reason"]')).toHaveText(m.Reason ? reasonLabel(m.Reason) : '—');
  await expect(entry.locator('[data-column="actor"]')).toHaveText(actor);
  await expect(entry.locator('[data-column="state"]')).toHaveText(
    m.StateBefore && m.StateBefore !== m.StateAfter ? `${actionStateLabel(m.StateBefore)} → ${actionStateLabel(m.StateAfter)}` : actionStateLabel(m.StateAfter),
  );
  const beforeAfter = (before: string | null, after: string) =>
    before === null || before === after ? money(after, currency) : `${money(before, currency)} → ${money(after, currency)}`;
  await expect(entry.locator('[data-column="amount"]')).toHaveText(beforeAfter(m.AmountBefore, m.AmountAfter));
  await expect(entry.locator('[data-column="payout"]')).toHaveText(beforeAfter(m.PayoutBefore, m.PayoutAfter));
  const delta = (d: string) => (/^-?0*(\.0*)?$/.test(d) ? `±${money('0', currency)}` : money(d, currency, true));
  await expect(entry.locator('[data-column="deltaAmount"]')).toHaveText(delta(m.DeltaAmount));
  await expect(entry.locator('[data-column="deltaPayout"]')).toHaveText(delta(m.DeltaPayout));
}

/** An API session of its own (another user), e.g. the brand acting while the page is the partner. */
export async function apiSession(
  playwright: { request: { newContext: (options: { baseURL?: string }) => Promise<APIRequestContext> } },
  baseURL: string | undefined,
  email: string,
): Promise<{ request: APIRequestContext; accountId: (name: string) => Promise<number> }> {
  const request = await playwright.request.newContext({ baseURL });
  const login = await request.post('/api/v1/session', { data: { Email: email, Password: DEMO_PASSWORD } });
  if (!login.ok()) throw new Error(`Log in as ${email} answered ${login.status()}: ${await login.text()}`);
  return {
    request,
    accountId: async (name: string) => {
      const me = (await (await request.get('/api/v1/me')).json()) as { Accounts: Array<{ Id: number; Name: string }> };
      const account = me.Accounts.find((a) => a.Name === name);
      if (!account) throw new Error(`${email} has no account named ${name}.`);
      return account.Id;
    },
  };
}
