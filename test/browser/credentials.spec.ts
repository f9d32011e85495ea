import { expect, test } from '@playwright/test';
import { logIn, mainNav, toast } from './support.js';

test('an admin issues an Auth Token (shown once), uses it, rotates it and revokes it', async ({ page, playwright }) => {
  await logIn(page, 'partner@style.test');
  await mainNav(page).getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('navigation', { name: 'Settings pages' }).getByRole('link', { name: 'API credentials' }).click();
  const sid = await page.getByTestId('account-sid').inputValue();
  expect(sid).toMatch(/^LS[0-9A-F]+$/);

  await page.getByRole('button', { name: 'Issue Auth Token' }).click();
  const issue = page.getByRole('dialog', { name: 'Issue an Auth Token' });
  await issue.getByLabel('Label').fill('Shop integration');
  await issue.getByRole('button', { name: 'Issue token' }).click();
  const shown = page.getByRole('dialog', { name: 'Your new Auth Token' });
  await expect(shown.getByTestId('issued-sid')).toHaveValue(sid);
  const token = await shown.getByTestId('issued-token-value').inputValue();
  expect(token.length).toBeGreaterThan(20);
  await shown.getByRole('button', { name: 'I have stored it' }).click();

  // The credentials work as HTTP Basic auth.
  const basic = { Authorization: `Basic ${Buffer.from(`${sid}:${token}`).toString('base64')}` };
  const api = await playwright.request.newContext({ baseURL: test.info().project.use.baseURL });
  try {
    expect((await api.get('/api/v1/account', { headers: basic })).status()).toBe(200);

    const tokens = page.getByTestId('tokens-table');
    const row = tokens.getByRole('row').filter({ hasText: 'Shop integration' });
    await expect(row).toBeVisible();
    await expect(row).toContainText(token.slice(-4));

    // Rotating shows a new token once; the old one stops working.
    await row.getByRole('button', { name: 'Rotate' }).click();
    await page.getByRole('dialog', { name: 'Rotate this Auth Token?' }).getByRole('button', { name: 'Rotate token' }).click();
    const rotated = page.getByRole('dialog', { name: 'Your new Auth Token' });
    const newToken = await rotated.getByTestId('issued-token-value').inputValue();
    expect(newToken).not.toBe(token);
    await rotated.getByRole('button', { name: 'I have stored it' }).click();
    expect((await api.get('/api/v1/account', { headers: basic })).status()).toBe(401);

    // Revoke it.
    const current = tokens.getByRole('row').filter({ hasText: newToken.slice(-4) });
    await current.getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('dialog', { name: 'Revoke this Auth Token?' }).getByRole('button', { name: 'Revoke token' }).click();
    await expect(toast(page, 'The Auth Token was revoked.')).toBeVisible();
    await expect(current).toHaveCount(0);
  } finally {
    await api.dispose();
  }
});
