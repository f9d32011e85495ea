import { expect, test } from '@playwright/test';
import { logIn, mainNav, switchAccount, toast, unique } from './support.js';

/**
 * Help → Tickets end to end: a partner admin opens a ticket with an attachment, the
 * operator finds it in the queue with the account's live facts, replies, and resolves
 * it; the partner reads the reply and the outcome.
 */
test('a partner opens a ticket with an attachment; the operator replies from the queue and resolves it; the partner reads both', async ({ browser }) => {
  const subject = `Where is my payment? ${unique()}`;
  const partner = await browser.newPage();
  await logIn(partner, 'partner@trail.test');
  await switchAccount(partner, 'Trail Blog');
  await mainNav(partner).getByRole('link', { name: 'Help' }).click();
  await expect(partner.getByRole('heading', { name: 'Tickets', exact: true })).toBeVisible();
  await partner.getByRole('button', { name: 'New ticket' }).click();
  const dialog = partner.getByTestId('new-ticket-dialog');
  await dialog.getByLabel('Subject').fill(subject);
  await dialog.getByLabel('Message').fill('My November payout has not arrived.');
  await dialog.getByLabel('Attachments').setInputFiles({ name: 'bank-statement.txt', mimeType: 'text/plain', buffer: Buffer.from('No credit from Lockstep on 2026-11-20.') });
  await dialog.getByRole('button', { name: 'Open ticket' }).click();
  await expect(partner.getByRole('heading', { name: new RegExp(`Ticket #\\d+: ${subject.replace(/[?]/g, '\\?')}`) })).toBeVisible();
  await expect(partner.getByText('My November payout has not arrived.')).toBeVisible();
  await expect(partner.getByRole('button', { name: 'bank-statement.txt' })).toBeVisible();
  const ticketId = /tickets\/(\d+)$/.exec(partner.url())![1]!;

  const operator = await browser.newPage();
  await logIn(operator, 'operator@lockstep.test');
  await mainNav(operator).getByRole('link', { name: 'Tickets' }).click();
  await operator.getByRole('link', { name: `#${ticketId}` }).click();
  await expect(operator.getByRole('heading', { name: new RegExp(`Ticket #${ticketId}`) })).toBeVisible();
  await expect(operator.getByRole('cell', { name: /Trail Blog/ })).toBeVisible();
  const download = operator.waitForEvent('download');
  await operator.getByRole('button', { name: 'bank-statement.txt' }).click();
  expect((await download).suggestedFilename()).toBe('bank-statement.txt');
  await operator.getByLabel('Reply').fill('The brand paid on the 28th; it clears within a day.');
  await operator.getByRole('button', { name: 'Send' }).click();
  await expect(operator.getByText('The brand paid on the 28th; it clears within a day.')).toBeVisible();
  await operator.getByLabel('Note to the requester').fill('Closing this one; write again if it has not arrived by Friday.');
  await operator.getByRole('button', { name: 'Resolve: perform it' }).click();
  await expect(toast(operator, `Ticket #${ticketId} is now resolved.`)).toBeVisible();

  await partner.reload();
  await expect(partner.getByText('The brand paid on the 28th; it clears within a day.')).toBeVisible();
  await expect(partner.getByText(/write again if it has not arrived by Friday/).first()).toBeVisible();
  await expect(partner.getByText('This ticket is resolved; open a new one to ask for more.')).toBeVisible();
});
