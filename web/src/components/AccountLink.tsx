import { useCallback, type ReactNode } from 'react';
import { useNavigate } from 'react-router';
import { useSession } from '../api/session';

/** Goes to a page of one of the user's accounts, switching to that account first when it is not the current one. */
export function useOpenInAccount(): (accountId: number, path: string) => void {
  const { account, switchAccount } = useSession();
  const navigate = useNavigate();
  return useCallback(
    (accountId: number, path: string) => {
      if (account?.Id !== accountId) switchAccount(accountId);
      navigate(path);
    },
    [account?.Id, switchAccount, navigate],
  );
}

/**
 * A link to a page as one account sees it (its Contract History, its tickets): a plain link
 * when it is the current account, else it switches accounts on the way.
 */
export function AccountLink({ accountId, to, children, className }: { accountId: number; to: string; children: ReactNode; className?: string }) {
  const open = useOpenInAccount();
  return (
    <a
      href={to}
      className={className}
      onClick={(event) => {
        if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        open(accountId, to);
      }}
    >
      {children}
    </a>
  );
}
