import { expect, test } from '@playwright/test';
import { logIn, mainNav, toast, unique } from './support.js';

test('an admin invites a user who joins through the link; changes a role; removes users; the last admin stays', async ({ page, browser }) => {
  const email = `nina.${unique()}@acme.test`;
  await logIn(page, 'brand@acme.test');
  await mainNav(page).getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('navigation', { name: 'Settings pages' }).getByRole('link', { name: 'Users' }).click();
  await expect(page.getByRole('heading', { name: 'Users' })).toBeVisible();

  // Invite: a new e-mail gets a link, shown once.
  await page.getByRole('button', { name: 'Invite user' }).click();
  const invite = page.getByRole('dialog', { name: 'Invite a user to Acme Outdoor' });
  await invite.getByLabel('E-mail').fill(email);
  await invite.getByLabel('Role').selectOption('USER');
  await invite.getByRole('button', { name: 'Invite' }).click();
  const result = page.getByRole('dialog', { name: 'Invitation created' });
  const acceptUrl = await result.getByTestId('accept-url').inputValue();
  expect(acceptUrl).toContain('/accept-invitation?token=');
  await page.screenshot({ path: '/tmp/lockstep-invitation.png' });
  await result.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByTestId('invitations-table').getByRole('cell', { name: email, exact: true })).toBeVisible();

  // The invitee opens the link in a browser of their own and lands logged in.
  const inviteeContext = await browser.newContext();
  try {
    const invitee = await inviteeContext.newPage();
    await invitee.goto(acceptUrl);
    await expect(invitee.getByTestId('invitation-account')).toHaveText('Acme Outdoor');
    await expect(invitee.getByTestId('invitation-email')).toHaveValue(email);
    await invitee.getByLabel('Your name').fill('Nina Newcomer');
    await invitee.getByLabel('Password').fill('a-long-enough-password');
    await invitee.getByRole('button', { name: 'Join Acme Outdoor' }).click();
    await expect(invitee.getByTestId('user-menu')).toContainText('Nina Newcomer');
    await expect(invitee.getByTestId('current-account')).toHaveText('Acme Outdoor');
    await expect(invitee).toHaveURL(/\/home$/);
  } finally {
    await inviteeContext.close();
  }

  // Back with the admin: Nina is a member now; make her an admin.
  await page.reload();
  const nina = page.getByTestId(`user-row-${email}`);
  await expect(nina).toBeVisible();
  await expect(page.getByTestId('invitations-table').getByRole('cell', { name: email, exact: true })).toHaveCount(0);
  await nina.getByLabel('Role of Nina Newcomer').selectOption('ADMIN');
  await expect(toast(page, 'Nina Newcomer is now an admin of Acme Outdoor.')).toBeVisible();
  await expect(nina.getByLabel('Role of Nina Newcomer')).toHaveValue('ADMIN');

  // Remove her, after a confirmation.
  await nina.getByRole('button', { name: 'Remove Nina Newcomer' }).click();
  const confirmRemove = page.getByRole('dialog', { name: 'Remove Nina Newcomer?' });
  await confirmRemove.getByRole('button', { name: 'Remove user' }).click();
  await expect(confirmRemove).toBeHidden();
  await expect(toast(page, 'Nina Newcomer no longer has access to Acme Outdoor.')).toBeVisible();
  await expect(nina).toHaveCount(0);

  // Alex is the last admin again: the server refuses, and says why.
  const alex = page.getByTestId('user-row-brand@acme.test');
  await alex.getByRole('button', { name: 'Remove Alex Acme' }).click();
  const confirmLast = page.getByRole('dialog', { name: 'Remove Alex Acme?' });
  await confirmLast.getByRole('button', { name: 'Remove user' }).click();
  await expect(confirmLast.getByTestId('error-message')).toHaveText(
    'This is the last admin of the account and cannot be removed; make another member an admin first.',
  );
  await page.screenshot({ path: '/tmp/lockstep-last-admin.png' });
  await confirmLast.getByRole('button', { name: 'Cancel' }).click();
  await expect(alex).toBeVisible();

  // Demoting the last admin is refused the same way, and the role stays.
  await alex.getByLabel('Role of Alex Acme').selectOption('USER');
  await expect(toast(page, 'This is the last admin of the account; make another member an admin first.')).toBeVisible();
  await expect(alex.getByLabel('Role of Alex Acme')).toHaveValue('ADMIN');
});
