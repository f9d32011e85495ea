import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import { Webhook } from 'standardwebhooks';
import { moreMenu, pickAction } from './actions-support.js';
import { startOwnServer, type OwnServer } from './own-server.js';
import { accountIdOf, logIn, toast } from './support.js';

/**
 * Issue 16, "Shows it works": a brand admin registers a webhook to a local receiver in
 * Settings → Webhooks (the signing secret shown once), approves an action on Pending
 * Payouts, and the receiver gets `action.approved` for that action, whose signature it
 * verifies with the standardwebhooks package; the delivery log shows the 200.
 *
 * On a server of its own: the shared ones run no jobs, and the webhook trigger is one of
 * the scheduler's; WEBHOOK_ALLOWED_HOSTS lets it call 127.0.0.1 over plain HTTP.
 */

interface Received {
  headers: Record<string, string>;
  body: string;
}

let server: OwnServer | undefined;
let receiver: http.Server;
const received: Received[] = [];
let receiverUrl = '';

test.beforeAll(async () => {
  test.setTimeout(180_000);
  receiver = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
      received.push({ headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/lockstep`;
  server = await startOwnServer('webhooks', { JOBS: 'true', WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' });
});

test.afterAll(async () => {
  await server?.stop();
  await new Promise<void>((resolve) => receiver?.close(() => resolve()));
});

test('a webhook registered in Settings receives action.approved, signed, when an action is approved in the UI', async ({ browser }) => {
  test.setTimeout(180_000);
  const context = await browser.newContext({ baseURL: server!.baseURL });
  const page = await context.newPage();
  await logIn(page, 'brand@acme.test');
  const acme = await accountIdOf(page.request, 'Acme Outdoor');

  await page.goto('/settings/webhooks');
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  const dialog = page.getByTestId('webhook-endpoint-dialog');
  await dialog.getByLabel('URL').fill(receiverUrl);
  await dialog.getByLabel('Description').fill('Browser test receiver');
  await dialog.locator('label.checkbox', { hasText: 'action.approved' }).getByRole('checkbox').check();
  await dialog.getByRole('button', { name: 'Add endpoint' }).click();
  // The signing secret, shown once.
  const secretDialog = page.getByTestId('webhook-secret');
  const secret = await secretDialog.getByTestId('webhook-secret-value').inputValue();
  expect(secret).toMatch(/^whsec_/);
  await secretDialog.getByRole('button', { name: 'I have stored it' }).click();
  await expect(page.getByRole('main')).toContainText(receiverUrl);

  const action = await pickAction(page.request, acme, (a) => a.State === 'PENDING');
  await page.goto(`/transactions/pending-payouts?orderId=${encodeURIComponent(action.OrderId ?? '')}`);
  await moreMenu(page, action.Id, 'Approve');
  await page.getByRole('dialog', { name: `Approve action ${action.Id}?` }).getByRole('button', { name: 'Approve' }).click();
  await expect(toast(page, `Action ${action.Id} approved`)).toBeVisible();

  // Delivered within seconds by the server's own worker; verified as any receiver would.
  const isApproval = (each: Received) => {
    const body = JSON.parse(each.body) as { Type?: string; Payload?: { Id?: string } };
    return body.Type === 'action.approved' && body.Payload?.Id === action.Id;
  };
  await expect.poll(() => received.some(isApproval), { timeout: 60_000 }).toBe(true);
  const approved = received.find(isApproval)!;
  expect(approved.headers['webhook-id']).toBeTruthy();
  expect(approved.headers['webhook-timestamp']).toMatch(/^\d+$/);
  const verified = new Webhook(secret).verify(approved.body, approved.headers) as { Type: string; Payload: { Id: string; State: string } };
  expect(verified).toMatchObject({ Type: 'action.approved', Payload: { Id: action.Id, State: 'APPROVED' } });
  // A body changed on the way fails the check.
  expect(() => new Webhook(secret).verify(approved.body.replace('APPROVED', 'REVERSED'), approved.headers)).toThrow();

  // The delivery log in Settings shows it, answered 200.
  await page.goto('/settings/webhooks');
  await page.getByRole('button', { name: 'Delivery log' }).first().click();
  await expect(page.getByRole('main').or(page.getByRole('dialog'))).toContainText('action.approved');
  await expect(page.getByRole('main').or(page.getByRole('dialog'))).toContainText('200');
  await context.close();
});
