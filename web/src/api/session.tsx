import { useQuery, useQueryClient, type QueryKey } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { ApiError, accountApi, api, type AccountApi } from './client';
import type { Me, MeAccount, MeAccountBody } from '@contract/session';

export const ME_KEY = ['me'] as const;

/** GET /me; a 401 means "not logged in", which is data (null), not an error. */
export async function fetchMe(): Promise<Me | null> {
  try {
    return await api.get<Me>('/api/v1/me');
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

export function useMeQuery() {
  return useQuery({ queryKey: ME_KEY, queryFn: fetchMe, staleTime: 60_000, retry: false });
}

/**
 * Remembers the account the user now works in, on the server (PUT /me/account), so the
 * next login opens it on any device (/me's DefaultAccountId). Best effort: if it fails,
 * this tab still works in the account, and the next login opens the one before.
 */
export async function rememberAccount(id: number): Promise<void> {
  try {
    await api.put<Me>('/api/v1/me/account', { AccountId: id } satisfies MeAccountBody);
  } catch {
    // The switch itself is this tab's state; only the memory of it for the next login is lost.
  }
}

export interface Session {
  me: Me;
  isOperator: boolean;
  /** The account the user is acting for; null for operators and users without accounts. */
  account: MeAccount | null;
  switchAccount: (accountId: number) => void;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ me, children }: { me: Me; children: ReactNode }) {
  const queryClient = useQueryClient();
  const [chosen, setChosen] = useState<number | null>(null);
  // The account chosen in this tab; else the server's choice (the last used, else the
  // first the user administers), which the next login on any device opens too.
  const account = me.Accounts.find((a) => a.Id === chosen) ?? me.Accounts.find((a) => a.Id === me.DefaultAccountId) ?? me.Accounts[0] ?? null;

  const switchAccount = useCallback(
    (accountId: number) => {
      void rememberAccount(accountId);
      setChosen(accountId);
      // Data of the other account stays cached under its own key; refresh it on return.
      void queryClient.invalidateQueries({ queryKey: ['account', accountId] });
    },
    [queryClient],
  );

  const value = useMemo<Session>(
    () => ({ me, isOperator: me.User.IsOperator, account, switchAccount }),
    [me, account, switchAccount],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

/** The current account; only for screens that are shown when there is one. */
export function useAccount(): MeAccount {
  const { account } = useSession();
  if (!account) throw new Error('This screen needs an account.');
  return account;
}

export function useAccountApi(): AccountApi {
  const account = useAccount();
  return useMemo(() => accountApi(account.Id), [account.Id]);
}

/** Query keys of account data start with ['account', id], so switching accounts never mixes caches. */
export function useAccountKey(): (...parts: unknown[]) => QueryKey {
  const account = useAccount();
  return useCallback((...parts: unknown[]) => ['account', account.Id, ...parts], [account.Id]);
}
