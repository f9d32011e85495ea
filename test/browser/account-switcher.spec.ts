import { expect, test } from '@playwright/test';
import { accountIdOf, logIn, mainNav, switchAccount } from './support.js';

test('a user of two accounts lands in the one it administers, switches to Style Creator and sees that account’s contracts', async ({ page, browser }) => {
  await logIn(page, 'partner@trail.test');
  // Issue 17 item 4: an admin of Trail Blog and a user of Style Creator (first by name)
  // lands in Trail Blog, never having switched; the switcher says each account's kind and role.
  await expect(page.getByTestId('current-account')).toHaveText('Trail Blog');
  await page.getByTestId('account-switcher').click();
  await expect(page.getByTestId(`account-option-${await accountIdOf(page.request, 'Trail Blog')}`)).toContainText('Partner · Admin');
  await expect(page.getByTestId(`account-option-${await accountIdOf(page.request, 'Style Creator')}`)).toContainText('Partner · User');
  await page.keyboard.press('Escape');
  await page.goto('/reports/contract-history?status=ACTIVE');
  const table = page.getByTestId('contract-history');
  await expect(page.getByText('Contracts of Trail Blog')).toBeVisible();
  // Trail Blog works with Acme Outdoor Canada; Style Creator does not.
  await expect(table.getByRole('cell', { name: 'Acme Outdoor Canada' })).toBeVisible();

  await page.getByTestId('account-switcher').click();
  const options = page.getByRole('menuitemradio');
  // Trail Blog, Style Creator, and the two small accounts Taylor also administers for the closure walk (src/demo/seed-payouts.ts).
  await expect(options).toHaveCount(4);
  await expect(page.getByRole('menuitemradio', { name: 'Trail Blog' })).toHaveAttribute('aria-checked', 'true');
  await page.screenshot({ path: '/tmp/lockstep-account-switcher.png' });
  await page.getByRole('menuitemradio', { name: 'Style Creator' }).click();

  await expect(page.getByTestId('current-account')).toHaveText('Style Creator');
  await expect(page.getByText('Contracts of Style Creator')).toBeVisible();
  await expect(table.getByRole('cell', { name: 'VIP creators' })).toBeVisible();
  await expect(table.getByRole('cell', { name: 'Acme Outdoor Canada' })).toHaveCount(0);

  // Taylor is only a USER of Style Creator: no API credentials tab, read-only users list.
  await mainNav(page).getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByRole('link', { name: 'API credentials' })).toHaveCount(0);
  await page.getByRole('link', { name: 'Users' }).click();
  await expect(page.getByRole('button', { name: 'Invite user' })).toHaveCount(0);
  await expect(page.getByText('Only admins can invite users')).toBeVisible();

  // The choice is remembered across reloads, and by the server: a login elsewhere (a new
  // browser, no local storage) lands in the account last used.
  await page.reload();
  await expect(page.getByTestId('current-account')).toHaveText('Style Creator');
  const elsewhere = await browser.newContext();
  const other = await elsewhere.newPage();
  await logIn(other, 'partner@trail.test');
  await expect(other.getByTestId('current-account')).toHaveText('Style Creator');
  // Back to Trail Blog, where the other tests expect this login to land.
  await switchAccount(other, 'Trail Blog');
  await elsewhere.close();
  // The last account used anywhere is the one a reload opens.
  await page.reload();
  await expect(page.getByTestId('current-account')).toHaveText('Trail Blog');
});

