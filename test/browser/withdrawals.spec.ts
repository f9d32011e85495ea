import { expect, test } from '@playwright/test';
import { apiSession } from './actions-support.js';
import { accountIdOf, apiAs, logIn, mainNav, switchAccount, toast } from './support.js';
import type { Balances } from '../../src/http/contract/ledger.js';
import type { ManualPaystubAnswer } from '../../src/http/contract/payouts.js';

/**
 * Payouts in the browser (issue 12): Deal Hunter Media's admin sets its withdrawal settings
 * (the form refuses a bad IBAN at its field, the password is asked for again and a wrong
 * one refused in the dialog), an operator grants a manual paystub of its available USD
 * (the browser tests' server runs no scheduled jobs and its clock cannot move past a
 * Tuesday), the partner opens Finance → Withdrawals and the paystub with its actions, then
 * changes the bank details (password again) and sees the 48-hour hold with its end. The
 * same pages on a phone's width do not overflow it. The operator's Payout runs page lists
 * the run with its file.
 */
test('a partner sets and changes its bank details (password asked again, 48-hour hold shown) and opens a paystub with its actions', async ({ page, playwright, baseURL }) => {
  await logIn(page, 'partner@deals.test');
  await switchAccount(page, 'Deal Hunter Media');
  await mainNav(page).getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('link', { name: 'Withdrawal settings' }).click();
  await expect(page.getByRole('heading', { name: 'Withdrawal settings' })).toBeVisible();

  // First settings: a German IBAN, checked by the server at its field.
  const form = page.getByTestId('withdrawal-form');
  await form.getByLabel('Bank country').fill('DE');
  await form.getByLabel("Account holder's name").fill('Deal Hunter Media GmbH');
  await form.getByLabel('IBAN or account number').fill('DE89 3704 0044 0532 0130 01');
  await form.getByLabel('SWIFT / BIC').fill('COBADEFFXXX');
  await page.getByTestId('threshold').fill('5.00');
  await page.getByTestId('save-withdrawal-settings').click();
  await expect(page.getByTestId('error-PaymentThreshold')).toContainText('at least the minimum withdrawal');
  await page.getByTestId('threshold').fill('50.00');
  await page.getByTestId('save-withdrawal-settings').click();
  await page.getByTestId('confirm-password').fill('lockstep-demo');
  await page.getByRole('button', { name: 'Confirm and save' }).click();
  await expect(page.getByTestId('error-BankAccountNumber')).toContainText('its check digits do not match');
  await form.getByLabel('IBAN or account number').fill('DE89 3704 0044 0532 0130 00');
  await page.getByTestId('save-withdrawal-settings').click();
  const dialog = page.getByTestId('password-dialog');
  await dialog.getByTestId('confirm-password').fill('not-my-password');
  await dialog.getByRole('button', { name: 'Confirm and save' }).click();
  await expect(dialog.getByTestId('error-Password')).toContainText('the password is not right');
  await dialog.getByTestId('confirm-password').fill('lockstep-demo');
  await dialog.getByRole('button', { name: 'Confirm and save' }).click();
  await expect(toast(page, 'Withdrawal settings saved')).toBeVisible();
  await expect(page.getByTestId('destination')).toContainText('•••• 3000');
  await expect(page.getByTestId('withdrawal-summary')).not.toContainText('0532');
  // The first destination holds nothing.
  await expect(page.getByTestId('hold-banner')).toHaveCount(0);

  // An operator grants a manual paystub of the partner's available USD (a wire: USD to a German bank).
  const operator = await apiSession(playwright, baseURL, 'operator@lockstep.test');
  const partnerId = await accountIdOf(page.request, 'Deal Hunter Media');
  const balances = await apiAs<Balances>(page.request, partnerId, 'GET', '/api/v1/balances');
  const usd = balances.Balances.find((b) => b.Currency === 'USD');
  expect(Number(usd?.Available ?? 0), 'the demo gives Deal Hunter Media an available USD balance').toBeGreaterThan(25);
  const granted = await operator.request.post('/api/v1/operator/manual-paystubs', { data: { MediaPartnerId: partnerId, Currency: 'USD' } });
  expect(granted.status(), await granted.text()).toBe(201);
  const { Paystub: paystub, Run: run } = (await granted.json()) as ManualPaystubAnswer;
  expect(paystub).toMatchObject({ Gross: usd!.Available, Fee: '25.00', WithdrawalMethod: 'WIRE', Destination: '•••• 3000' });

  // Finance → Withdrawals: the paystub, then its actions.
  await mainNav(page).getByRole('link', { name: 'Finance' }).click();
  await page.getByRole('link', { name: 'Withdrawals' }).click();
  const row = page.getByTestId(`paystub-row-${paystub.Id}`);
  await expect(row).toContainText('Processing');
  await expect(row).toContainText(`$${paystub.Net}`);
  await row.getByRole('link', { name: `Open paystub ${paystub.Id}` }).click();
  await expect(page.getByTestId('paystub-id')).toHaveText(paystub.Id);
  await expect(page.getByTestId('paystub-gross')).toContainText(paystub.Gross);
  await expect(page.getByTestId('paystub-fee')).toContainText('$25.00');
  const actions = page.getByTestId('paystub-actions-table');
  for (const header of ['Paystub Id', 'Action Id', 'Campaign', 'Event Type', 'Sale Amount', 'Payout', 'Action Date', 'Locking Date']) {
    await expect(actions.getByRole('columnheader', { name: header })).toBeVisible();
  }
  await expect(page.getByTestId('paystub-actions')).toContainText(`of ${paystub.Actions} action`);
  const firstAction = actions.locator('tbody tr').first();
  await expect(firstAction.locator('td').first()).toHaveText(paystub.Id);
  // Each action it paid carries its PaystubId on the action API too.
  const actionId = (await firstAction.locator('td').nth(1).textContent())!.trim();
  const action = await apiAs<{ PaystubId: string | null }>(page.request, partnerId, 'GET', `/api/v1/actions/${actionId}`);
  expect(action.PaystubId).toBe(paystub.Id);
  // On a phone the page fits the screen; its tables scroll inside their cards.
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByTestId('paystub-detail')).toBeVisible();
  expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
  await page.setViewportSize({ width: 1360, height: 860 });

  // A change of bank details: the password again, then the 48-hour hold with its end.
  await mainNav(page).getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('link', { name: 'Withdrawal settings' }).click();
  await page.getByTestId('edit-withdrawal-settings').click();
  await page.getByTestId('change-bank-details').click();
  await form.getByLabel('Bank country').fill('FR');
  await form.getByLabel("Account holder's name").fill('Deal Hunter Media SAS');
  await form.getByLabel('IBAN or account number').fill('FR14 2004 1010 0505 0001 3M02 606');
  await page.getByTestId('save-withdrawal-settings').click();
  await expect(dialog).toContainText('withdrawals are held for 48 hours');
  await dialog.getByTestId('confirm-password').fill('lockstep-demo');
  await dialog.getByRole('button', { name: 'Confirm and save' }).click();
  await expect(toast(page, 'Withdrawals are held for 48 hours')).toBeVisible();
  const banner = page.getByTestId('hold-banner');
  await expect(banner).toContainText('Withdrawals are on hold until');
  const settings = await apiAs<{ HoldEndsDate: string; BankDetailsChangedDate: string }>(page.request, partnerId, 'GET', '/api/v1/withdrawal-settings');
  expect(new Date(settings.HoldEndsDate).getTime() - new Date(settings.BankDetailsChangedDate).getTime()).toBe(48 * 3_600_000);
  await expect(page.getByTestId('destination')).toContainText('•••• 2606');
  // The banner shows on the Withdrawals page too (Finance opens on Balance), and the settings page fits a phone.
  await mainNav(page).getByRole('link', { name: 'Finance' }).click();
  await page.getByRole('link', { name: 'Withdrawals' }).click();
  await expect(page.getByTestId('hold-banner')).toBeVisible();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/settings/withdrawal-settings');
  await expect(page.getByTestId('hold-banner')).toBeVisible();
  await page.getByTestId('edit-withdrawal-settings').click();
  await expect(page.getByTestId('withdrawal-form')).toBeVisible();
  expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);

  // The operator console lists the paystub's run, with its bank file, ready to send.
  const runs = (await (await operator.request.get('/api/v1/operator/payout-runs')).json()) as { Items: Array<{ Id: number; Status: string }> };
  expect(runs.Items.find((r) => r.Id === run.Id)?.Status).toBe('READY');
  await operator.request.dispose();
});

test('the operator opens a payout run, downloads its file and marks it sent', async ({ page }) => {
  await logIn(page, 'operator@lockstep.test');
  await mainNav(page).getByRole('link', { name: 'Payout runs' }).click();
  await expect(page.getByRole('heading', { name: 'Payout runs' })).toBeVisible();
  const first = page.getByTestId('payout-runs-table').locator('tbody tr').first();
  await expect(first).toContainText('Ready to send');
  await first.getByRole('link', { name: /Open payout run/ }).click();
  const files = page.getByTestId('run-files');
  const download = page.waitForEvent('download');
  await files.getByRole('button', { name: /\.pain\.001\.001\.03\.xml$/ }).click();
  expect((await download).suggestedFilename()).toMatch(/^lockstep-run-\d+-USD-1\.pain\.001\.001\.03\.xml$/);
  await page.getByTestId('mark-run-sent').click();
  await page.getByTestId('mark-sent-dialog').getByRole('button', { name: 'Mark sent' }).click();
  await expect(toast(page, 'is marked sent')).toBeVisible();
  await expect(page.getByTestId('payout-run-detail')).toContainText('Sent');
  await expect(page.getByTestId('run-paystubs').getByRole('button', { name: 'Mark failed' })).toBeVisible();
});
