/**
 * An endpoint disabled after five days of failures tells its owner: an e-mail to each
 * admin of the account, queued in the transaction that disables it (src/outbox/emails.ts:
 * it leaves after the commit, and only when SMTP_RELAY_URL is set). The Settings →
 * Webhooks page shows the same reason.
 */
import type { Sql } from '../../db/types.js';
import { mailPublicUrl, queueEmailInTx } from '../../outbox/emails.js';

const MAX_RECIPIENTS = 50;

export async function queueEndpointDisabledEmails(tx: Sql, at: Date, endpoint: { id: bigint; accountId: number; url: string; failingSince: Date }): Promise<number> {
  const publicUrl = mailPublicUrl();
  if (!publicUrl) return 0;
  const { rows } = await tx.query<{ email: string; name: string; accountName: string }>(
    `select u.email, u.name, a.name as "accountName"
       from memberships m join users u on u.id = m.user_id join accounts a on a.id = m.account_id
      where m.account_id = $1 and m.role = 'ADMIN' and u.disabled_at is null and u.email is not null
      order by u.id limit $2`,
    [endpoint.accountId, MAX_RECIPIENTS],
  );
  let queued = 0;
  for (const admin of rows) {
    const sent = await queueEmailInTx(tx, at, {
      purpose: 'webhook-endpoint-disabled',
      subject: `webhook-endpoint:${endpoint.id}`,
      message: {
        to: admin.email,
        subject: `Webhook endpoint disabled: ${endpoint.url.slice(0, 120)}`,
        text: [
          `Hello ${admin.name},`,
          '',
          `Every delivery to the webhook endpoint ${endpoint.url} of ${admin.accountName} has failed since ${endpoint.failingSince.toISOString()}, for five days, so Lockstep has disabled it.`,
          'Nothing more is sent to it until it is enabled again; the events of the last three days that were not delivered wait for it and go out when it is, and older ones can be replayed from the delivery log.',
          '',
          `Fix the receiver, then enable the endpoint: ${publicUrl}/settings/webhooks`,
        ].join('\n'),
      },
    });
    if (sent) queued += 1;
  }
  return queued;
}
