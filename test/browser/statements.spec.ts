import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type APIRequestContext, type Browser, type Page } from '@playwright/test';
import { actionRow, apiSession, money } from './actions-support.js';
import { apiAs, logIn, mainNav, switchAccount, unique, parseCsv } from './support.js';
import type { ActionPage } from '../../src/http/contract/actions.js';
import type { Page as ApiPage } from '../../src/http/contract/common.js';
import type { Balances } from '../../src/http/contract/ledger.js';
import type { Statement, StatementDetail, StatementLine } from '../../src/http/contract/statements.js';

/**
 * Statements are issued by the issue-statements job once a month is over. The browser
 * tests' server runs no scheduled jobs (JOBS=false) and its clock cannot be moved, so the
 * test runs the job as `lockstep jobs run issue-statements` does: through the admin route,
 * with the secret the server wrote into its data folder. The demo data has actions that
 * locked in months now over, so the job bills them.
 */
async function issueStatements(playwright: { request: { newContext: (o: { baseURL?: string }) => Promise<APIRequestContext> } }, baseURL: string | undefined) {
  const dataDir = process.env.LOCKSTEP_BROWSER_DATA_DIR;
  if (!dataDir) throw new Error('LOCKSTEP_BROWSER_DATA_DIR is not set: run the browser tests through playwright.config.ts.');
  const { secret } = JSON.parse(fs.readFileSync(path.join(dataDir, 'admin.json'), 'utf8')) as { secret: string };
  const admin = await playwright.request.newContext({ baseURL });
  try {
    const response = await admin.post('/api/v1/admin/jobs/issue-statements/run', { headers: { Authorization: `Bearer ${secret}` } });
    expect(response.status()).toBe(200);
    const events = (await response.text())
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { Event: string; Summary?: string; Detail?: string });
    const last = events.at(-1);
    if (last?.Event !== 'done') throw new Error(`issue-statements did not finish: ${JSON.stringify(last)}`);
  } finally {
    await admin.dispose();
  }
}

/** Exact sum of decimal amounts with two decimals (the demo's USD, CAD and EUR), as the UI shows them. */
function sum(amounts: string[]): string {
  let cents = 0n;
  for (const a of amounts) {
    const [whole = '0', fraction = ''] = a.split('.');
    cents += BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0').slice(0, 2));
  }
  return `${cents / 100n}.${(cents % 100n).toString().padStart(2, '0')}`;
}


async function newPage(browser: Browser, email: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await logIn(page, email);
  return page;
}

test('a brand reads its statement and downloads it; the operator records the payment in full; the partner is paid', async ({ page, browser, playwright }) => {
  test.setTimeout(120_000);
  const baseURL = test.info().project.use.baseURL;
  await issueStatements(playwright, baseURL);

  // The statement: Acme Outdoor's unpaid statement with Trail Blog's actions on it, the smallest.
  const partner = await apiSession(playwright, baseURL, 'partner@trail.test');
  const trail = await partner.accountId('Trail Blog');
  const brandApi = await apiSession(playwright, baseURL, 'brand@acme.test');
  const acme = await brandApi.accountId('Acme Outdoor');
  const list = await apiAs<ApiPage<Statement>>(brandApi.request, acme, 'GET', '/api/v1/statements?pageSize=500&sort=Number&order=asc');
  let statement: StatementDetail | undefined;
  for (const s of list.Items.filter((x) => x.Paid === '0.00' && x.Status !== 'PAID').sort((a, b) => a.Actions - b.Actions)) {
    const detail = await apiAs<StatementDetail>(brandApi.request, acme, 'GET', `/api/v1/statements/${s.Id}`);
    if (detail.Groups.some((g) => g.MediaPartnerId === trail)) {
      statement = detail;
      break;
    }
  }
  if (!statement) throw new Error('The demo data has no unpaid statement of Acme Outdoor with Trail Blog on it after issue-statements.');
  const currency = statement.Currency;
  const trailGroups = statement.Groups.filter((g) => g.MediaPartnerId === trail);
  const trailPayout = sum(trailGroups.map((g) => g.Payout));
  const trailLines = await apiAs<ApiPage<StatementLine>>(brandApi.request, acme, 'GET', `/api/v1/statements/${statement.Id}/lines?partnerId=${trail}&pageSize=500`);
  const before = (await apiAs<Balances>(partner.request, trail, 'GET', '/api/v1/balances')).Balances.find((b) => b.Currency === currency)!;
  await brandApi.request.dispose();

  // The brand: Finance → Statements lists the statement; its detail has the totals and the groups.
  await logIn(page, 'brand@acme.test');
  await mainNav(page).getByRole('link', { name: 'Finance' }).click();
  await expect(page).toHaveURL(/\/finance\/statements$/);
  await expect(page.getByRole('heading', { name: 'Statements', exact: true })).toBeVisible();
  await page.getByRole('searchbox', { name: 'Search statements' }).fill(statement.Number);
  await expect(page).toHaveURL(new RegExp(`q=${statement.Number}`));
  const row = page.getByTestId(`statement-row-${statement.Id}`);
  await expect(page.getByTestId('row-count')).toHaveText('1 statement');
  await expect(row).toContainText(statement.CampaignName);
  await expect(row.locator('[data-column="Owed"]')).toHaveText(money(statement.Owed, currency));
  await row.getByRole('link', { name: `Open statement ${statement.Number}` }).click();

  const detail = page.getByTestId('statement-detail');
  await expect(detail.getByRole('heading', { name: new RegExp(statement.Number) })).toBeVisible();
  await expect(page.getByTestId('statement-total')).toContainText(money(statement.Total, currency));
  await expect(page.getByTestId('statement-paid')).toContainText(money('0.00', currency));
  await expect(page.getByTestId('statement-owed')).toContainText(money(statement.Owed, currency));
  await expect(page.getByTestId('statement-due')).toContainText(statement.DueOn);
  const trailRows = page.getByTestId(`statement-partner-${trail}`);
  await expect(trailRows.locator('.group-partner-row')).toContainText('Trail Blog');
  await expect(trailRows.getByTestId('partner-payout')).toHaveText(money(trailPayout, currency));
  for (const g of trailGroups) {
    const groupRow = page.getByTestId(`statement-group-${trail}-${g.ActionTrackerId}`);
    await expect(groupRow).toContainText(g.EventTypeName);
    await expect(groupRow).toContainText(money(g.Payout, currency));
  }
  // "List actions" narrows the listing to the partner.
  await trailRows.getByRole('button', { name: 'List the actions of Trail Blog' }).click();
  await expect(page).toHaveURL(new RegExp(`partnerId=${trail}`));
  await expect(page.getByTestId('statement-lines').getByTestId('row-count')).toContainText(`${trailLines.Total} action`);
  await page.screenshot({ path: '/tmp/lockstep-statement-brand.png', fullPage: true });

  // The CSV holds every action on the statement.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('statement-lines').getByRole('button', { name: 'Download CSV' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(new RegExp(`^statement-${statement.Number}-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
  const csv = parseCsv(fs.readFileSync(await download.path(), 'utf8'));
  expect(csv.header).toEqual(expect.arrayContaining(['ActionId', 'MediaPartnerName', 'EventTypeName', 'OrderId', 'SaleAmount', 'Payout', 'Currency']));
  expect(csv.rows).toHaveLength(statement.Actions);
  expect(csv.rows.filter((r) => r.MediaPartnerName === 'Trail Blog').map((r) => r.ActionId).sort()).toEqual(trailLines.Items.map((l) => l.ActionId).sort());

  // The brand admin records part of it; the same reference with another amount is refused, with why.
  const brandReference = `ACME-${unique()}`.toUpperCase();
  await page.getByRole('button', { name: 'Record a payment' }).click();
  let dialog = page.getByTestId('record-payment-dialog');
  await dialog.getByLabel(`Amount (${currency})`).fill('0.01');
  await dialog.getByLabel('Reference').fill(brandReference);
  await dialog.getByRole('button', { name: 'Record payment' }).click();
  await expect(dialog.getByTestId('payment-result')).toContainText(`Recorded ${money('0.01', currency)}`);
  await dialog.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByTestId('statement-paid')).toContainText(money('0.01', currency));
  await expect(page.getByTestId('statement-payments')).toContainText(brandReference);
  await page.getByRole('button', { name: 'Record a payment' }).click();
  dialog = page.getByTestId('record-payment-dialog');
  await dialog.getByLabel(`Amount (${currency})`).fill('0.02');
  await dialog.getByLabel('Reference').fill(brandReference);
  await dialog.getByRole('button', { name: 'Record payment' }).click();
  await expect(dialog.getByTestId('error-message')).toContainText('Not recorded: this reference was used before.');
  await expect(dialog.getByTestId('error-message')).toContainText(`The reference ${brandReference} was recorded already`);
  await expect(dialog.getByLabel('Reference')).toHaveAttribute('aria-invalid', 'true');
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  // The operator finds it among every brand's statements and records the rest, received in full.
  const operator = await newPage(browser, 'operator@lockstep.test');
  await mainNav(operator).getByRole('link', { name: 'Statements' }).click();
  await operator.getByLabel('Brand').selectOption({ label: 'Acme Outdoor' });
  await expect(operator).toHaveURL(new RegExp(`brandId=${acme}`));
  await operator.getByRole('link', { name: `Open statement ${statement.Number}` }).click();
  await operator.getByRole('button', { name: 'Record payment received' }).click();
  const opDialog = operator.getByTestId('record-payment-dialog');
  // The amount starts as what is still owed: the total less the brand's 0.01.
  const owedNow = await opDialog.getByLabel(`Amount (${currency})`).inputValue();
  expect(sum([owedNow, '0.01'])).toBe(statement.Owed);
  await expect(opDialog.getByTestId('payment-owed')).toHaveText(money(owedNow, currency));
  await opDialog.getByLabel('Reference').fill(`WIRE-${unique()}`.toUpperCase());
  await opDialog.getByRole('button', { name: 'Record payment' }).click();
  await expect(opDialog.getByTestId('payment-result')).toContainText(`Recorded ${money(owedNow, currency)}`);
  await expect(opDialog.getByTestId('clearing-result')).toContainText(`Paid in full: its ${statement.Actions} actions`);
  await operator.screenshot({ path: '/tmp/lockstep-statement-operator-paid.png' });
  await opDialog.getByRole('button', { name: 'Done' }).click();
  await expect(operator.getByTestId('statement-notice')).toContainText('Its actions cleared', { timeout: 30_000 });
  await expect(operator.getByTestId('statement-owed')).toContainText(money('0.00', currency));
  await operator.context().close();

  // The partner: the statement's actions are Approved/Paid, not pending any more, and its Home shows them available.
  const partnerPage = await newPage(browser, 'partner@trail.test');
  await switchAccount(partnerPage, 'Trail Blog');
  // A sale (its Order Id finds it in the list; a click's order id is its click id).
  const line = trailLines.Items.find((l) => l.OrderId && l.SaleAmount !== '0.00');
  if (!line) throw new Error(`Statement ${statement.Number} has no sale of Trail Blog to look up by its Order Id.`);
  await partnerPage.goto(`/transactions/actions?orderId=${encodeURIComponent(line.OrderId!)}`);
  await expect(actionRow(partnerPage, line.ActionId).locator('[data-column="State"]')).toHaveText('Approved/Paid');
  const paid = await apiAs<ActionPage>(partner.request, trail, 'GET', `/api/v1/actions?statusDetail=${encodeURIComponent('Approved/Paid')}&pageSize=500`);
  const paidIds = new Set(paid.Items.map((a) => a.Id));
  for (const l of trailLines.Items) expect(paidIds.has(l.ActionId)).toBe(true);
  // Paid money is no longer "not yet available": the Pending filter (kept in the URL) leaves it out.
  await partnerPage.getByRole('combobox', { name: /^Pending/ }).selectOption('ALL');
  await expect(partnerPage).toHaveURL(/pendingStatus=ALL/);
  await expect(actionRow(partnerPage, line.ActionId)).toHaveCount(0);
  await partnerPage.getByRole('combobox', { name: /^Pending/ }).selectOption('');

  const after = (await apiAs<Balances>(partner.request, trail, 'GET', '/api/v1/balances')).Balances.find((b) => b.Currency === currency)!;
  expect(after.Available).toBe(sum([before.Available, trailPayout]));
  await mainNav(partnerPage).getByRole('link', { name: 'Home' }).click();
  await expect(partnerPage.getByTestId(`balance-${currency}-available`)).toHaveText(money(after.Available, currency));
  await expect(partnerPage.getByTestId(`balance-${currency}-payment-pending`)).toHaveText(money(after.PaymentPending, currency));
  await partnerPage.screenshot({ path: '/tmp/lockstep-statement-partner-home.png', fullPage: true });
  await partnerPage.context().close();
  await partner.request.dispose();
});
