import { expect, type APIRequestContext, type Page } from '@playwright/test';

/** The password of every demo login (src/demo/seed-demo.ts). */
export const DEMO_PASSWORD = 'lockstep-demo';

/** A suffix that keeps names and e-mails of one run apart from other tests' data. */
export function unique(): string {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
}

export async function logIn(page: Page, email: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByTestId('user-menu')).toBeVisible();
}

/** Picks an account in the switcher (no-op when it is already the current one). */
export async function switchAccount(page: Page, accountName: string): Promise<void> {
  const current = page.getByTestId('current-account');
  await expect(current).toBeVisible();
  if ((await current.textContent())?.trim() === accountName) return;
  await page.getByTestId('account-switcher').click();
  await page.getByRole('menuitemradio', { name: accountName }).click();
  await expect(current).toHaveText(accountName);
}

export function mainNav(page: Page) {
  return page.getByRole('navigation', { name: 'Main' });
}

export function toast(page: Page, text: string | RegExp) {
  return page.getByTestId('toast').filter({ hasText: text });
}

/** The account id of an account of the logged-in user, from /api/v1/me. */
export async function accountIdOf(request: APIRequestContext, accountName: string): Promise<number> {
  const me = (await (await request.get('/api/v1/me')).json()) as { Accounts: Array<{ Id: number; Name: string }> };
  const account = me.Accounts.find((a) => a.Name === accountName);
  if (!account) throw new Error(`The logged-in user has no account named ${accountName}.`);
  return account.Id;
}

/** Calls the API as the logged-in user (the page's session cookie), acting for an account. */
export async function apiAs<T>(
  request: APIRequestContext,
  accountId: number,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await request.fetch(path, {
    method,
    headers: { 'Lockstep-Account': String(accountId) },
    ...(body === undefined ? {} : { data: body }),
  });
  if (!response.ok()) throw new Error(`${method} ${path} answered ${response.status()}: ${await response.text()}`);
  return (await response.json()) as T;
}

/** A CSV file as header + rows of fields (RFC 4180: quoted fields may hold commas, quotes and line breaks). */
export function parseCsv(text: string): { header: string[]; rows: Array<Record<string, string>> } {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  const body = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (quoted) {
      if (ch === '"' && body[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && body[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || record.length) {
    record.push(field);
    records.push(record);
  }
  const [header = [], ...rows] = records;
  return { header, rows: rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? '']))) };
}
