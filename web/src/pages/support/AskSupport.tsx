/**
 * "Ask support" where the UI says an operation needs support: a link to Help → Tickets' New
 * ticket form, filled in with the type, a subject, the actions and the account.
 */
import { Link } from 'react-router';
import type { TicketType } from '@contract/enums';
import { refusalOf } from '../../api/client';
import { useAccount } from '../../api/session';
import { newTicketPath } from './newTicketLink';

/** What a refusal of an action operation asks support for; null when support cannot help. */
export function supportFor(refusal: string | undefined, actionIds: readonly string[]): { type: TicketType; subject: string; message: string } | null {
  const which = actionIds.length === 1 ? `action ${actionIds[0]}` : `${actionIds.length} actions`;
  if (refusal === 'cpc_needs_operator') {
    return { type: 'CPC_REVERSAL', subject: `Reverse cost-per-click ${which}`, message: `Please reverse these cost-per-click actions: ${actionIds.join(', ')}. Reason: ` };
  }
  if (refusal === 'modification_limit') {
    return {
      type: 'GENERAL',
      subject: `Change ${which} past the modification limit`,
      message: `These actions have reached the limit of modifications, so I cannot change them: ${actionIds.join(', ')}. What I need changed: `,
    };
  }
  return null;
}

export function AskSupportLink({
  type,
  subject,
  actionIds = [],
  message,
  label = 'Ask support',
}: {
  type: TicketType;
  subject: string;
  actionIds?: readonly string[];
  message?: string;
  label?: string;
}) {
  const account = useAccount();
  return (
    <Link className="btn btn-sm" data-testid="ask-support" to={newTicketPath({ type, subject, actionIds, accountId: account.Id, ...(message ? { message } : {}) })}>
      {label}
    </Link>
  );
}

/** Under a refused operation's error: the prefilled ticket, when the refusal is one support can lift. */
export function RefusalSupport({ error, actionIds }: { error: unknown; actionIds: readonly string[] }) {
  const help = supportFor(refusalOf(error), actionIds);
  return help ? <AskSupportLink type={help.type} subject={help.subject} message={help.message} actionIds={actionIds} /> : null;
}
