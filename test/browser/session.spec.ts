import { expect, test } from '@playwright/test';
import { DEMO_PASSWORD, logIn } from './support.js';

test('log out returns to the login page and the API then answers 401', async ({ page }) => {
  await logIn(page, 'partner@deals.test');
  expect((await page.request.get('/api/v1/me')).status()).toBe(200);

  await page.getByTestId('user-menu').click();
  await page.getByRole('menuitem', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole('button', { name: 'Log in' })).toBeVisible();

  expect((await page.request.get('/api/v1/me')).status()).toBe(401);
  // Pages behind the login send you back to it, and return you there afterwards.
  await page.goto('/settings/users');
  await expect(page).toHaveURL(/\/login\?next=%2Fsettings%2Fusers$/);
  await page.getByLabel('E-mail').fill('partner@deals.test');
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page).toHaveURL(/\/settings\/users$/);
  await expect(page.getByRole('heading', { name: 'Users' })).toBeVisible();
});

test('a wrong password shows the server’s explanation', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('E-mail').fill('partner@deals.test');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByTestId('error-message')).toHaveText('The e-mail or password is not right.');
  await expect(page).toHaveURL(/\/login$/);
});

test('an operator searches, sorts and pages accounts, and opens an account', async ({ page }) => {
  await logIn(page, 'operator@lockstep.test');
  await expect(page).toHaveURL(/\/operator\/accounts$/);
  const table = page.getByTestId('operator-accounts');
  await expect(table.getByRole('cell', { name: 'Trail Blog' })).toBeVisible();

  await page.getByLabel('Search accounts').fill('trail');
  await expect(page.getByTestId('row-count')).toHaveText('1 account');
  await page.getByLabel('Search accounts').fill('');
  await page.getByLabel('Kind').selectOption('BRAND');
  await expect(table.getByRole('cell', { name: 'Trail Blog' })).toHaveCount(0);
  await expect(table.getByRole('cell', { name: 'Acme Outdoor' })).toBeVisible();
  await page.getByLabel('Kind').selectOption('');

  await table.getByRole('button', { name: 'Name' }).click();
  await expect(table.getByRole('columnheader', { name: 'Name' })).toHaveAttribute('aria-sort', 'ascending');
  await expect(table.locator('tbody tr').first()).toContainText('Acme Outdoor');

  const name = `Trail Runner ${Date.now().toString(36)}`;
  await page.getByRole('button', { name: 'Open account' }).click();
  const dialog = page.getByRole('dialog', { name: 'Open an account' });
  await dialog.getByLabel('Account name').fill(name);
  await dialog.getByLabel('Currency').fill('USD');
  await dialog.getByLabel('Time zone').fill('America/Denver');
  await dialog.getByLabel('Admin e-mail').fill(`${Date.now().toString(36)}@runner.test`);
  await dialog.getByLabel('Admin name').fill('Rory Runner');
  await dialog.getByRole('button', { name: 'Open account' }).click();
  await expect(page.getByRole('dialog', { name: 'Account opened' })).toBeVisible();
  await page.getByRole('button', { name: 'Done' }).click();
  await page.getByLabel('Search accounts').fill(name);
  await expect(table.getByRole('cell', { name })).toBeVisible();
});
