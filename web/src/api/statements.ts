/**
 * Statements (Finance → Statements for brands, the operator console's Statements): the
 * list, one statement with its groups and payments, its action listing, and recording a
 * payment. Brands and operators read the same routes; a brand acts for its account
 * (Lockstep-Account header), an operator for none, and each records payments through
 * its own route. A payment refreshes the statements, the balances and the actions, whose
 * status details change when a statement is paid in full.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient, type QueryKey } from '@tanstack/react-query';
import { useMemo } from 'react';
import { accountApi, api, type QueryValue } from './client';
import { useAccount } from './session';
import type { Page } from '@contract/common';
import type { PaymentAnswer, PaymentBody, Statement, StatementDetail, StatementLine, StatementListQuery } from '@contract/statements';

export interface StatementsScope {
  /** Who looks: a brand (its own statements) or an operator (every brand's). */
  viewer: 'brand' | 'operator';
  http: { get: <T>(path: string, query?: Record<string, QueryValue>) => Promise<T>; post: <T>(path: string, body?: unknown) => Promise<T> };
  /** Query keys: under the account for brands, under 'operator' for operators. */
  key: (...parts: unknown[]) => QueryKey;
  /** The account the downloads are for (brands); null for operators. */
  accountId: number | null;
  /** Instants (issued, paid, cleared) are shown in this zone: the brand's, or UTC for operators. */
  timeZone: string;
  /** Where the list lives; a statement is `${basePath}/${id}`. */
  basePath: string;
  /** May record a payment: operators (money received), and a brand's admins (their own payment). */
  canRecordPayment: boolean;
  /** Why not, when canRecordPayment is false. */
  recordPaymentRefusal?: string;
}

export const BRAND_STATEMENTS_PATH = '/finance/statements';
export const OPERATOR_STATEMENTS_PATH = '/operator/statements';

export function useBrandStatementsScope(): StatementsScope {
  const account = useAccount();
  return useMemo(
    () => ({
      viewer: 'brand',
      http: accountApi(account.Id),
      key: (...parts: unknown[]) => ['account', account.Id, 'statements', ...parts],
      accountId: account.Id,
      timeZone: account.TimeZone,
      basePath: BRAND_STATEMENTS_PATH,
      canRecordPayment: account.Role === 'ADMIN',
      ...(account.Role === 'ADMIN' ? {} : { recordPaymentRefusal: `Only admins of ${account.Name} can record a payment.` }),
    }),
    [account.Id, account.TimeZone, account.Role, account.Name],
  );
}

const OPERATOR_SCOPE: StatementsScope = {
  viewer: 'operator',
  http: api,
  key: (...parts: unknown[]) => ['operator', 'statements', ...parts],
  accountId: null,
  timeZone: 'UTC',
  basePath: OPERATOR_STATEMENTS_PATH,
  canRecordPayment: true,
};

export function useOperatorStatementsScope(): StatementsScope {
  return OPERATOR_SCOPE;
}

/** The list's query as the API takes it (query parameters, camelCase). */
export type StatementsQuery = Partial<Record<keyof StatementListQuery, QueryValue>>;

export function useStatementsPage(scope: StatementsScope, query: StatementsQuery) {
  return useQuery({
    queryKey: scope.key('list', query),
    queryFn: () => scope.http.get<Page<Statement>>('/api/v1/statements', query),
    placeholderData: keepPreviousData,
  });
}

export function useStatementDetail(scope: StatementsScope, statementId: string, enabled = true) {
  return useQuery({
    enabled,
    queryKey: scope.key('detail', statementId),
    queryFn: () => scope.http.get<StatementDetail>(`/api/v1/statements/${statementId}`),
    // A clearing may still be running after a payment: follow it until the statement says it cleared.
    refetchInterval: (query) => (query.state.data?.Status === 'PAID' && !query.state.data.ClearedDate ? 2000 : false),
  });
}

export function useStatementLines(scope: StatementsScope, statementId: string, query: { page: number; pageSize: number; partnerId: string }) {
  return useQuery({
    queryKey: scope.key('detail', statementId, 'lines', query),
    queryFn: () => scope.http.get<Page<StatementLine>>(`/api/v1/statements/${statementId}/lines`, query),
    placeholderData: keepPreviousData,
  });
}

/** Records a payment against a statement: the brand's own route, or the operator's (money received). */
export function useRecordPayment(scope: StatementsScope, statementId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: PaymentBody) =>
      scope.http.post<PaymentAnswer>(
        scope.viewer === 'operator' ? `/api/v1/operator/statements/${statementId}/payments` : `/api/v1/statements/${statementId}/payments`,
        body,
      ),
    onSettled: async () => {
      await queryClient.invalidateQueries({ queryKey: scope.key() });
      // A brand's balances and actions change with its payment; operators have none cached.
      if (scope.accountId !== null) {
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: ['account', scope.accountId, 'balances'] }),
          queryClient.invalidateQueries({ queryKey: ['account', scope.accountId, 'actions'] }),
        ]);
      }
    },
  });
}
