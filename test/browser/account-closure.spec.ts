import { expect, test, type Page } from '@playwright/test';
import { actionRow, detailsPanel, eventTypeId, pickAction } from './actions-support.js';
import { accountIdOf, apiAs, DEMO_PASSWORD, logIn, switchAccount, toast } from './support.js';

/**
 * Issue 15: closing partner accounts as the help page has it, end to end, on a server of its
 * own (playwright.config.ts, port 3101): closing demo partners would break the specs that
 * share the first server. Taylor Trail (partner@trail.test) administers the two small demo
 * partners set up for closure: Summit Stories (its contract already expired, 6.00 USD
 * available below its 50.00 threshold, paid by wire: a manual paystub is refused, the 25.00
 * fee leaving no remainder) and Switchback Shorts (a contract with Acme Outdoor US, 18.40
 * USD available below its 50.00 threshold, a free bank transfer).
 *
 * Taylor expires Switchback's contract from Contract History, asks for a manual paystub of
 * Switchback's balance (the operator performs it and sends the run), sees Summit's refused
 * and forfeits it instead, and files one closure ticket for both accounts, with the login;
 * the operator's final review closes both; the login no longer works; the old tracking link
 * shows "This link has expired"; a conversion dated after the closure is rejected; the
 * brand's Pending Payouts and its download show "Closed partner".
 */
test.use({ baseURL: 'http://127.0.0.1:3101' });

const PARTNER = 'partner@trail.test';

async function operatorTicket(operator: Page, ticketId: string) {
  await operator.goto(`/operator/tickets/${ticketId}`);
  await expect(operator.getByRole('heading', { name: new RegExp(`Ticket #${ticketId}`) })).toBeVisible();
}

function ticketIdIn(text: string | null): string {
  const id = /Ticket #(\d+)/.exec(text ?? '')?.[1];
  if (!id) throw new Error(`No ticket number in "${text}"`);
  return id;
}

async function resolveTicket(operator: Page, ticketId: string) {
  await operatorTicket(operator, ticketId);
  await operator.getByRole('button', { name: 'Resolve: perform it' }).click();
  await expect(toast(operator, `Ticket #${ticketId} is now resolved.`)).toBeVisible();
}

test('a partner clears and closes two accounts through the three steps; the operator reviews and closes them', async ({ browser }) => {
  test.setTimeout(180_000);
  const operator = await browser.newPage();
  await logIn(operator, 'operator@lockstep.test');

  const partner = await browser.newPage();
  await logIn(partner, PARTNER);
  const summitId = await accountIdOf(partner.request, 'Summit Stories');
  const switchbackId = await accountIdOf(partner.request, 'Switchback Shorts');

  // Settings → Account → Close account; both accounts chosen together.
  await partner.goto('/settings/account');
  await partner.getByRole('link', { name: 'Close account…' }).click();
  await expect(partner.getByRole('heading', { name: 'Close partner accounts' })).toBeVisible();
  const trailBox = partner.getByRole('checkbox', { name: /Trail Blog/ });
  if (await trailBox.isChecked()) await trailBox.uncheck();
  await partner.getByRole('checkbox', { name: /Summit Stories/ }).check();
  await partner.getByRole('checkbox', { name: /Switchback Shorts/ }).check();
  await partner.getByRole('button', { name: 'Continue with 2 accounts' }).click();

  // A tracking link of Switchback's, and a click on it: after the closure the link is dead.
  const links = await apiAs<{ Items: Array<{ Code: string }> }>(partner.request, switchbackId, 'GET', '/api/v1/links');
  const code = links.Items[0]!.Code;
  const visit = await partner.request.get(`/c/${code}`, { maxRedirects: 0 });
  expect(visit.status()).toBe(302);
  const clickId = new URL(visit.headers().location!).searchParams.get('lsclickid')!;
  expect(clickId).toBeTruthy();

  // Step 1: Switchback's contract in force blocks it; it is expired from Contract History, filtered as the help page says.
  const step1 = partner.getByTestId('closure-step-1');
  await expect(step1.getByTestId(`closure-contracts-${summitId}`)).toContainText('No contract in force.');
  await expect(step1.getByTestId(`closure-contracts-${switchbackId}`)).toContainText('Acme Outdoor US');
  await expect(partner.getByTestId('step-blockers')).toContainText('Switchback Shorts: 1 contract is still in force.');
  const wizard = partner.url();
  await step1.getByRole('link', { name: 'Contract History of Switchback Shorts: contracts in force' }).click();
  await expect(partner.getByRole('heading', { name: 'Contract History' })).toBeVisible();
  await expect(partner.getByTestId('current-account')).toHaveText('Switchback Shorts');
  await expect(partner.getByLabel('Program')).toHaveValue('');
  await expect(partner.getByLabel('Contract Status')).toHaveValue('ACTIVE');
  await expect(partner.getByLabel('Contract Termination Reason')).toHaveValue('STILL_ACTIVE');
  const rows = partner.getByTestId('contract-history').locator('tbody tr[data-testid^="contract-row-"]');
  await expect(rows).toHaveCount(1);
  const contractId = (await rows.first().getAttribute('data-testid'))!.replace('contract-row-', '');
  await partner.getByTestId(`view-menu-${contractId}`).click();
  await partner.getByRole('menuitem', { name: 'Actions' }).click();
  await partner.getByRole('menuitem', { name: 'Expire' }).click();
  await partner.getByRole('dialog', { name: `Expire contract ${contractId}` }).getByRole('button', { name: 'Expire contract' }).click();
  await expect(toast(partner, `Contract ${contractId} expired`)).toBeVisible();
  await expect(rows).toHaveCount(0);
  await partner.goto(wizard);
  await expect(step1.getByTestId(`closure-contracts-${switchbackId}`)).toContainText('No contract in force.');
  await expect(partner.getByTestId('step-blockers')).toContainText('Step 1 is done');

  // Step 2: both balances are below their thresholds. A manual paystub for Switchback's 18.40…
  await partner.getByRole('button', { name: 'Go to step 2' }).click();
  const switchback = partner.getByTestId(`closure-funds-${switchbackId}`);
  await expect(switchback).toContainText('$18.40');
  await expect(switchback).toContainText('$50.00');
  await expect(switchback).toContainText('you receive $18.40');
  await switchback.getByRole('button', { name: 'Request a manual paystub' }).click();
  await partner.getByTestId('manual-paystub-dialog').getByRole('button', { name: 'Open the ticket' }).click();
  const paystubNote = switchback.locator('[data-testid^="ticket-note-"]');
  await expect(paystubNote).toContainText('An operator performs it');
  const paystubTicket = ticketIdIn(await paystubNote.textContent());
  // Asked once: the wizard shows the waiting ticket instead of asking again.
  await partner.reload();
  await expect(switchback).toContainText('already asked for');
  await expect(switchback.getByRole('button', { name: 'Request a manual paystub' })).toHaveCount(0);

  // …and Summit's 6.00: a manual paystub is refused (the wire fee leaves no remainder), so a forfeit, after being told it is lost.
  const summit = partner.getByTestId(`closure-funds-${summitId}`);
  await expect(summit).toContainText('$6.00');
  await expect(summit).toContainText('does not cover the WIRE fee of 25.00 USD and leave a remainder');
  await expect(summit.getByRole('button', { name: 'Request a manual paystub' })).toHaveCount(0);
  await summit.getByRole('button', { name: 'Forfeit the balance' }).click();
  const forfeitDialog = partner.getByTestId('forfeit-dialog');
  await expect(forfeitDialog).toContainText('will be lost');
  await forfeitDialog.getByRole('button', { name: 'Forfeit the balance' }).click();
  const forfeitNote = summit.locator('[data-testid^="ticket-note-"]');
  await expect(forfeitNote).toContainText('Your forfeit is asked for.');
  const forfeitTicket = ticketIdIn(await forfeitNote.textContent());

  // The operator performs both; the manual paystub's run is sent to the bank.
  await resolveTicket(operator, paystubTicket);
  await resolveTicket(operator, forfeitTicket);
  let runId = 0;
  await expect
    .poll(async () => {
      const runs = (await (await operator.request.get('/api/v1/operator/payout-runs?pageSize=100')).json()) as { Items: Array<{ Id: number; Kind: string; Status: string }> };
      const manual = runs.Items.find((r) => r.Kind === 'MANUAL' && r.Status !== 'SENT');
      runId = manual?.Id ?? 0;
      return manual?.Status;
    })
    .toBe('READY');
  await operator.goto(`/operator/payout-runs/${runId}`);
  await operator.getByRole('button', { name: 'Mark sent' }).click();
  await operator.getByRole('dialog', { name: `Mark run #${runId} sent?` }).getByRole('button', { name: 'Mark sent' }).click();
  await expect(operator.getByText('Sent').first()).toBeVisible();

  // The forfeit is there in Help → Tickets of Summit Stories, resolved; step 2 has nothing left.
  await switchAccount(partner, 'Summit Stories');
  await partner.goto(`/help/tickets/${forfeitTicket}`);
  await expect(partner.getByRole('heading', { name: new RegExp(`Ticket #${forfeitTicket}: Forfeit`) })).toBeVisible();
  await expect(partner.getByText('Resolved').first()).toBeVisible();
  await partner.goto(wizard.replace(/step=\d/, 'step=2'));
  await expect(partner.getByTestId('step-blockers')).toContainText('Step 2 is done');

  // Step 3: one ticket closes both, with the partner's own login.
  await partner.getByRole('button', { name: 'Go to step 3' }).click();
  const step3 = partner.getByTestId('closure-step-3');
  await expect(step3.getByTestId(`closure-status-${summitId}`)).toContainText('Can be closed');
  await expect(step3.getByTestId(`closure-status-${switchbackId}`)).toContainText('Can be closed');
  await expect(step3).toContainText('Closing is irreversible.');
  await step3.getByRole('checkbox', { name: /Also delete my own login/ }).check();
  await step3.getByRole('button', { name: 'Request the closure of 2 accounts' }).click();
  const confirm = partner.getByTestId('closure-confirm');
  await expect(confirm).toContainText('cannot be undone');
  await confirm.getByRole('button', { name: 'Send the closure request' }).click();
  const closureNote = step3.locator('[data-testid^="ticket-note-"]');
  await expect(closureNote).toContainText('Your closure request is sent.');
  const closureTicket = ticketIdIn(await closureNote.textContent());

  // The operator's final review: both eligible now, the login to delete named; close them.
  await operatorTicket(operator, closureTicket);
  const review = operator.getByTestId('closure-review');
  await expect(review.getByTestId(`closure-status-${summitId}`)).toContainText('Can be closed');
  await expect(review.getByTestId(`closure-status-${switchbackId}`)).toContainText('Can be closed');
  await expect(review.getByTestId('closure-delete-login')).toContainText('Taylor Trail');
  await review.getByRole('button', { name: 'Close eligible accounts (2)' }).click();
  const closeDialog = operator.getByTestId('closure-review-confirm');
  await expect(closeDialog).toContainText('This cannot be undone.');
  await closeDialog.getByRole('button', { name: 'Close for good' }).click();
  await expect(toast(operator, `Ticket #${closureTicket}: the accounts are closed`)).toBeVisible();
  await expect(review.getByTestId(`closure-status-${summitId}`)).toContainText(`Closed partner #${summitId}`);
  await expect(review.getByTestId(`closure-status-${switchbackId}`)).toContainText(`Closed partner #${switchbackId}`);
  await expect(review.getByRole('button', { name: /Close eligible accounts/ })).toHaveCount(0);

  // The partner's login is gone.
  const again = await browser.newPage();
  await again.goto('/login');
  await again.getByLabel('E-mail').fill(PARTNER);
  await again.getByLabel('Password').fill(DEMO_PASSWORD);
  await again.getByRole('button', { name: 'Log in' }).click();
  await expect(again.getByText('The e-mail or password is not right.')).toBeVisible();

  // The old tracking link shows the expired-link page and records nothing.
  const dead = await browser.newPage();
  const deadVisit = await dead.goto(`/c/${code}`);
  expect(deadVisit!.status()).toBe(410);
  await expect(dead.getByText('This link has expired')).toBeVisible();

  // The brand keeps its records of the partner's actions, without the partner's name.
  const brand = await browser.newPage();
  await logIn(brand, 'brand@acme.test');
  const acme = await accountIdOf(brand.request, 'Acme Outdoor');
  // A conversion dated after the closure, on the click from before it: rejected, as the brand sees.
  const sale = await eventTypeId(brand.request, acme, 'Acme Outdoor US', 'Online Sale');
  const late = await apiAs<{ Status: string; RejectReason: string | null }>(brand.request, acme, 'POST', '/api/v1/conversions', {
    ActionTrackerId: sale,
    OrderId: `AFTER-CLOSURE-${Date.now()}`,
    EventDate: new Date().toISOString(),
    ClickId: clickId,
    Amount: '80.00',
  });
  expect(late).toMatchObject({ Status: 'REJECTED', RejectReason: 'PARTNER_CLOSED' });
  await brand.goto(`/transactions/pending-payouts?status=APPROVED&partnerId=${summitId}`);
  await expect(brand.getByTestId('actions-table').getByRole('cell', { name: `Closed partner #${summitId}` }).first()).toBeVisible();
  const csv = await brand.request.get(`/api/v1/actions/export.csv?partnerId=${switchbackId}`, { headers: { 'lockstep-account': String(acme) } });
  expect(csv.status()).toBe(200);
  const text = await csv.text();
  expect(text).toContain(`Closed partner #${switchbackId}`);
  expect(text).not.toContain('Switchback Shorts');
});

/**
 * Issue 15, item 1's other half: where the UI says an operation needs support, "Ask support"
 * opens Help → Tickets' form already filled in (type, subject, the actions, the account).
 */
test('a brand asks support to reverse a cost-per-click action from the prefilled ticket form', async ({ page }) => {
  await logIn(page, 'brand@acme.test');
  const acme = await accountIdOf(page.request, 'Acme Outdoor');
  const action = await pickAction(page.request, acme, (a) => a.EventKind === 'CLICK');
  await page.goto(`/transactions/pending-payouts?actionId=${action.Id}`);
  await actionRow(page, action.Id).getByRole('button', { name: `Expand action ${action.Id}` }).click();
  await detailsPanel(page).getByRole('link', { name: 'Ask support', exact: true }).click();

  const dialog = page.getByTestId('new-ticket-dialog');
  await expect(dialog.getByLabel('Type')).toHaveValue('CPC_REVERSAL');
  await expect(dialog.getByLabel('Subject')).toHaveValue(`Reverse cost-per-click action ${action.Id}`);
  await expect(dialog.getByLabel('Action ids')).toHaveValue(action.Id);
  await expect(dialog.getByLabel('Message')).toHaveValue(`Please reverse cost-per-click action ${action.Id}. Reason: `);
  await dialog.getByLabel('Message').press('End');
  await dialog.getByLabel('Message').pressSequentially('bot traffic on the 3rd.');
  await dialog.getByRole('button', { name: 'Open ticket' }).click();
  await expect(page.getByRole('heading', { name: new RegExp(`Ticket #\\d+: Reverse cost-per-click action ${action.Id}`) })).toBeVisible();
  await expect(page.getByText(`Please reverse cost-per-click action ${action.Id}. Reason: bot traffic on the 3rd.`)).toBeVisible();

  // A bulk reversal's refusal offers the same ticket.
  await page.goto(`/transactions/pending-payouts?actionId=${action.Id}`);
  await page.getByRole('checkbox', { name: `Select action ${action.Id}` }).check();
  await page.getByTestId('bulk-bar').getByRole('button', { name: 'Reverse selected' }).click();
  const reverse = page.getByRole('dialog', { name: 'Reverse 1 selected action' });
  await reverse.getByLabel('Reason').selectOption('CONS_FRAUD');
  await reverse.getByRole('button', { name: 'Reverse 1' }).click();
  const outcome = page.getByTestId('bulk-outcome');
  await expect(outcome).toContainText('1 cost-per-click action needs support to be reversed.');
  await expect(outcome.getByRole('link', { name: 'Ask support' })).toHaveAttribute('href', new RegExp(`type=CPC_REVERSAL.*actionIds=${action.Id}`));
});
