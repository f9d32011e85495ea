import { expect, test } from '@playwright/test';
import { DEMO_PASSWORD, logIn, mainNav, toast, unique } from './support.js';

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
  const result = page.getByRole('dialog', { name: 'Invitation sent' });
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

  // Alex is the last admin again: Remove is disabled and says why, before anyone confirms
  // (the server refuses it too: test/api/users.test.ts).
  const alex = page.getByTestId('user-row-brand@acme.test');
  const removeAlex = alex.getByRole('button', { name: 'Remove Alex Acme' });
  await expect(removeAlex).toBeDisabled();
  await expect(removeAlex).toHaveAccessibleDescription('The last admin cannot be removed: make another member an admin first.');
  await expect(alex.getByTestId('last-admin-reason')).toBeVisible();
  await page.screenshot({ path: '/tmp/lockstep-last-admin.png' });

  // Demoting the last admin is not offered either: the User option says why.
  const userOption = alex.getByLabel('Role of Alex Acme').locator('option[value="USER"]');
  await expect(userOption).toBeDisabled();
  await expect(userOption).toHaveText('User (the account needs another admin first)');
  await expect(alex.getByLabel('Role of Alex Acme')).toHaveValue('ADMIN');
});

test('an existing login is invited, never added: it joins from its pending invitations, through the link with its password, or with one click when logged in', async ({ page, browser }) => {
  await logIn(page, 'brand@acme.test');
  await mainNav(page).getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('navigation', { name: 'Settings pages' }).getByRole('link', { name: 'Users' }).click();
  const users = page.getByTestId('users-table');
  const pending = page.getByTestId('invitations-table');

  async function invite(email: string): Promise<string> {
    await page.getByRole('button', { name: 'Invite user' }).click();
    const dialog = page.getByRole('dialog', { name: 'Invite a user to Acme Outdoor' });
    await dialog.getByLabel('E-mail').fill(email);
    await dialog.getByLabel('Role').selectOption('USER');
    await dialog.getByRole('button', { name: 'Invite' }).click();
    // The same answer as for a new e-mail: an invitation and its link, not a membership.
    const result = page.getByRole('dialog', { name: 'Invitation sent' });
    await expect(result).toContainText(`Share this link with ${email}`);
    await expect(result).not.toContainText('added');
    const url = await result.getByTestId('accept-url').inputValue();
    await result.getByRole('button', { name: 'Done' }).click();
    await expect(pending.getByRole('cell', { name: email, exact: true })).toBeVisible();
    await expect(users.getByRole('cell', { name: email, exact: true })).toHaveCount(0);
    return url;
  }

  async function removeAgain(email: string, name: string) {
    await page.reload();
    const row = page.getByTestId(`user-row-${email}`);
    await expect(row).toBeVisible();
    await expect(pending.getByRole('cell', { name: email, exact: true })).toHaveCount(0);
    await row.getByRole('button', { name: `Remove ${name}` }).click();
    await page.getByRole('dialog', { name: `Remove ${name}?` }).getByRole('button', { name: 'Remove user' }).click();
    await expect(row).toHaveCount(0);
  }

  // 1. Logged in, the invitee sees the invitation above the page and joins with one click.
  await invite('partner@deals.test');
  const dealsContext = await browser.newContext();
  try {
    const deals = await dealsContext.newPage();
    await logIn(deals, 'partner@deals.test');
    const banner = deals.getByTestId('my-invitation-Acme Outdoor');
    await expect(banner).toContainText('Alex Acme invited you to join Acme Outdoor (brand) as a user.');
    await deals.screenshot({ path: '/tmp/lockstep-pending-invitation.png' });
    await banner.getByRole('button', { name: 'Join Acme Outdoor' }).click();
    await expect(toast(deals, 'You joined Acme Outdoor; you are now working in it.')).toBeVisible();
    await expect(deals.getByTestId('current-account')).toHaveText('Acme Outdoor');
    await expect(banner).toHaveCount(0);
    await removeAgain('partner@deals.test', 'Dana Deals');

    // 3. Logged in, the invitee opens the link: one click, no password.
    const url = await invite('partner@deals.test');
    await deals.goto(url);
    await expect(deals.getByTestId('invitation-account')).toHaveText('Acme Outdoor');
    await expect(deals.getByTestId('invitation-email')).toHaveText('partner@deals.test');
    await expect(deals.getByLabel('Password')).toHaveCount(0);
    await deals.getByRole('button', { name: 'Join Acme Outdoor' }).click();
    await expect(deals.getByTestId('current-account')).toHaveText('Acme Outdoor');
    await removeAgain('partner@deals.test', 'Dana Deals');
  } finally {
    await dealsContext.close();
  }

  // 2. Logged out, the link asks an existing login for its password, not for a new name.
  const styleUrl = await invite('partner@style.test');
  const styleContext = await browser.newContext();
  try {
    const style = await styleContext.newPage();
    await style.goto(styleUrl);
    await expect(style.getByTestId('invitation-email')).toHaveValue('partner@style.test');
    await expect(style.getByText('This e-mail already has a Lockstep login: enter its password to join.')).toBeVisible();
    await expect(style.getByLabel('Your name')).toHaveCount(0);
    await style.getByLabel('Password').fill('not-the-password');
    await style.getByRole('button', { name: 'Join Acme Outdoor' }).click();
    await expect(style.getByTestId('error-message')).toHaveText(
      "partner@style.test already has a Lockstep login; enter that login's password to join.",
    );
    await style.getByLabel('Password').fill(DEMO_PASSWORD);
    await style.getByRole('button', { name: 'Join Acme Outdoor' }).click();
    await expect(style.getByTestId('current-account')).toHaveText('Acme Outdoor');
  } finally {
    await styleContext.close();
  }
  await removeAgain('partner@style.test', 'Sam Style');
});
