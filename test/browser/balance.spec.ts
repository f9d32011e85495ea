import fs from 'node:fs';
import { expect, test } from '@playwright/test';
import { apiSession, money } from './actions-support.js';
import { apiAs, logIn, mainNav, parseCsv, switchAccount } from './support.js';
import type { Page as ApiPage } from '../../src/http/contract/common.js';
import type { BalanceMovement, Balances } from '../../src/http/contract/ledger.js';

/**
 * Finance → Balance (issue 12 item 4): Trail Blog's admin reads every movement of its
 * available balance (the demo's paid statements cleared its payouts) with the running
 * balance: the newest movement's balance in each currency is the Available the page shows
 * above the table; filtered by type and currency it lists what the API lists; sorted
 * oldest first; the CSV holds the filtered movements.
 */
test('a partner reads its balance movements with the running balance, filters them and downloads them', async ({ page, playwright, baseURL }) => {
  const partner = await apiSession(playwright, baseURL, 'partner@trail.test');
  const trail = await partner.accountId('Trail Blog');
  const balances = (await apiAs<Balances>(partner.request, trail, 'GET', '/api/v1/balances')).Balances;
  const all = await apiAs<ApiPage<BalanceMovement>>(partner.request, trail, 'GET', '/api/v1/balance/movements?pageSize=500');
  expect(all.Total, 'the demo data clears some of Trail Blog\'s statements').toBeGreaterThan(0);
  // The running balance ends at the available balance, in every currency.
  for (const b of balances.filter((x) => all.Items.some((m) => m.Currency === x.Currency))) {
    expect(all.Items.find((m) => m.Currency === b.Currency)!.Balance).toBe(b.Available);
  }
  const newest = all.Items[0]!;
  const received = await apiAs<ApiPage<BalanceMovement>>(
    partner.request,
    trail,
    'GET',
    `/api/v1/balance/movements?type=PAYMENT_RECEIVED&currency=${newest.Currency}&pageSize=500`,
  );
  await partner.request.dispose();

  await logIn(page, 'partner@trail.test');
  await switchAccount(page, 'Trail Blog');
  await mainNav(page).getByRole('link', { name: 'Finance' }).click();
  await page.getByRole('link', { name: 'Balance', exact: true }).click();
  await expect(page).toHaveURL(/\/finance\/balance$/);
  await expect(page.getByRole('heading', { name: 'Balance', exact: true })).toBeVisible();
  await expect(page.getByTestId(`balance-available-${newest.Currency}`)).toContainText(money(balances.find((b) => b.Currency === newest.Currency)!.Available, newest.Currency));
  const table = page.getByTestId('balance-movements-table');
  const first = table.getByTestId(`movement-${newest.Id}`);
  await expect(first.locator('[data-column="Balance"]')).toHaveText(money(newest.Balance, newest.Currency));
  await expect(first.locator('[data-column="Amount"]')).toHaveText(money(newest.Amount, newest.Currency));

  // Filtered to payments received in one currency: what the API lists, each named by its statement.
  await page.getByLabel('Type').selectOption('PAYMENT_RECEIVED');
  await page.getByLabel('Currency').selectOption(newest.Currency);
  await expect(page).toHaveURL(/type=PAYMENT_RECEIVED/);
  await expect(page.getByTestId('row-count')).toContainText(`${received.Total} movement`);
  const firstReceived = received.Items[0]!;
  await expect(table.getByTestId(`movement-${firstReceived.Id}`)).toContainText(`Statement ${firstReceived.StatementNumber}`);
  await expect(table.getByTestId(`movement-${firstReceived.Id}`)).toContainText('Payment received');

  // Oldest first: the first row is the oldest payment received, with its own balance.
  await table.getByRole('button', { name: /Date/ }).click();
  await expect(page).toHaveURL(/order=asc/);
  const oldest = received.Items[received.Items.length - 1]!;
  await expect(table.locator('tbody tr').first()).toHaveAttribute('data-testid', `movement-${oldest.Id}`);
  await expect(table.getByTestId(`movement-${oldest.Id}`).locator('[data-column="Balance"]')).toHaveText(money(oldest.Balance, oldest.Currency));
  await page.screenshot({ path: '/tmp/lockstep-balance.png', fullPage: true });

  // The CSV holds the filtered movements, oldest first.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^balance-movements-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = parseCsv(fs.readFileSync(await download.path(), 'utf8'));
  expect(csv.header).toEqual(['Id', 'Date', 'Type', 'Reference', 'StatementNumber', 'ActionId', 'Currency', 'Amount', 'Balance']);
  expect(csv.rows.map((r) => [r.Id, r.Type, r.Balance])).toEqual([...received.Items].reverse().map((m) => [m.Id, 'PAYMENT_RECEIVED', m.Balance]));
});

/**
 * A post-lock correction (issue 12): the operator corrects one of Trail Blog's locked
 * actions through the API (the tickets issue will put a form on it); the partner opens the
 * action and reads the correction under its history, with the action itself unchanged.
 */
test("an operator's post-lock correction shows in the partner's action details, the action unchanged", async ({ page, playwright, baseURL }) => {
  const partner = await apiSession(playwright, baseURL, 'partner@trail.test');
  const trail = await partner.accountId('Trail Blog');
  const locked = await apiAs<{ Items: Array<{ Id: string; Payout: string; Currency: string }> }>(
    partner.request,
    trail,
    'GET',
    '/api/v1/actions?state=APPROVED&pageSize=1',
  );
  const action = locked.Items[0];
  if (!action) throw new Error('The demo data has no locked action of Trail Blog.');
  await partner.request.dispose();
  const operator = await apiSession(playwright, baseURL, 'operator@lockstep.test');
  const made = await operator.request.post(`/api/v1/operator/actions/${action.Id}/corrections`, {
    data: { Amount: '1.25', Reason: 'ADV_ACT_DISPUTE', Note: 'Bonus agreed with the brand' },
  });
  expect(made.status(), await made.text()).toBe(201);
  const correction = (await made.json()) as { Id: string };
  await operator.request.dispose();

  await logIn(page, 'partner@trail.test');
  await switchAccount(page, 'Trail Blog');
  await page.goto(`/transactions/actions?action=${action.Id}`);
  const details = page.getByTestId('action-details');
  await expect(details.getByTestId('detail-payout')).toContainText(money(action.Payout, action.Currency));
  const entry = details.getByTestId(`correction-${correction.Id}`);
  await expect(entry).toContainText(money('1.25', action.Currency, true));
  await expect(entry).toContainText('On the next statement');
  await expect(entry).toContainText('Bonus agreed with the brand');

  // The operator console: the same action with its correction, and a clawback made through the form.
  const operatorPage = await (await page.context().browser()!.newContext()).newPage();
  await logIn(operatorPage, 'operator@lockstep.test');
  await operatorPage.goto(`/operator/actions?id=${action.Id}`);
  const card = operatorPage.getByTestId('operator-action');
  await expect(card.getByTestId(`correction-${correction.Id}`)).toContainText('Bonus agreed with the brand');
  await card.getByRole('button', { name: 'Correct…' }).click();
  const dialog = operatorPage.getByTestId('correct-dialog');
  await dialog.getByLabel('Reason').selectOption('ITEM_RETURNED');
  await dialog.getByLabel(`Amount (${action.Currency})`).fill('0');
  await dialog.getByRole('button', { name: 'Continue' }).click();
  await expect(dialog).toContainText('signed amount');
  await dialog.getByLabel(`Amount (${action.Currency})`).fill('-0.50');
  await dialog.getByRole('button', { name: 'Continue' }).click();
  await expect(operatorPage.getByTestId('correct-review')).toContainText('Claw back from');
  await dialog.getByRole('button', { name: 'Record correction' }).click();
  await expect(dialog).toBeHidden();
  await expect(card.getByTestId('action-corrections').locator('li')).toHaveCount(2);
  await expect(card.getByTestId('action-corrections')).toContainText(money('-0.50', action.Currency, true));
});
