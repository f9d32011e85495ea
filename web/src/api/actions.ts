/**
 * Actions, balances, conversions and links: queries and the commands that change actions.
 * Every command invalidates the account's action lists, details and balances, so lists,
 * the details panel and the balance cards show the new state at once.
 */
import { keepPreviousData, useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useMemo } from 'react';
import type { QueryValue } from './client';
import { useAccount, useAccountApi, useAccountKey } from './session';
import type {
  ActionDetail,
  ActionIds,
  ActionPage,
  ActionPreview,
  ActionTotals,
  BulkBody,
  BulkOperation,
  BulkResult,
  ModifyBody,
  ModifyItemsBody,
  ReverseBody,
} from '@contract/actions';
import type { Page } from '@contract/common';
import type { BrandPartner, Contract } from '@contract/contracts';
import type { ChangeReasonCode } from '@contract/enums';
import type { EventType, Program } from '@contract/programs';
import type { Balances } from '@contract/ledger';

export function useActionsPage(query: Record<string, QueryValue>) {
  const http = useAccountApi();
  const key = useAccountKey();
  return useQuery({
    queryKey: key('actions', 'list', query),
    queryFn: () => http.get<ActionPage>('/api/v1/actions', query),
    placeholderData: keepPreviousData,
  });
}

/** Totals per currency of every action the filters match (the server adds them up, not the page). */
export function useActionTotals(filter: Record<string, QueryValue>) {
  const http = useAccountApi();
  const key = useAccountKey();
  return useQuery({
    queryKey: key('actions', 'totals', filter),
    queryFn: () => http.get<ActionTotals>('/api/v1/actions/totals', filter),
    placeholderData: keepPreviousData,
  });
}

/** "Select all N matching": the ids of every action the filters match, up to the bulk limit. */
export function useMatchingActionIds() {
  const http = useAccountApi();
  return useMutation({ mutationFn: (filter: Record<string, QueryValue>) => http.get<ActionIds>('/api/v1/actions/ids', filter) });
}

export function useActionDetail(actionId: string | null) {
  const http = useAccountApi();
  const key = useAccountKey();
  return useQuery({
    queryKey: key('actions', 'detail', actionId),
    queryFn: () => http.get<ActionDetail>(`/api/v1/actions/${actionId}`),
    enabled: actionId !== null,
    staleTime: 0,
  });
}

export function useBalances() {
  const http = useAccountApi();
  const key = useAccountKey();
  return useQuery({
    queryKey: key('balances'),
    queryFn: () => http.get<Balances>('/api/v1/balances'),
    select: (data) => data.Balances,
  });
}

/** Brands: the partners the brand works or has worked with, by name. */
export function useBrandPartners(enabled = true) {
  const http = useAccountApi();
  const key = useAccountKey();
  return useQuery({
    queryKey: key('partners'),
    queryFn: () => http.get<BrandPartner[]>('/api/v1/partners'),
    select: (rows) => [...rows].sort((a, b) => a.MediaPartnerName.localeCompare(b.MediaPartnerName)),
    enabled,
  });
}

/** Partners: the programs the account has (or had) a contract with, for filters. */
export function useContractPrograms() {
  const http = useAccountApi();
  const key = useAccountKey();
  const contracts = useQuery({
    queryKey: key('contracts', 'all-parties'),
    queryFn: () => http.get<Page<Contract>>('/api/v1/contracts', { status: 'ALL', pageSize: 500, sort: 'StartDate', order: 'desc' }),
  });
  const programs = useMemo(() => {
    const map = new Map<number, { name: string; brandName: string; currency: string }>();
    for (const c of contracts.data?.Items ?? []) map.set(c.CampaignId, { name: c.CampaignName, brandName: c.BrandName, currency: c.Currency });
    return [...map.entries()].map(([id, p]) => ({ id, ...p })).sort((a, b) => a.name.localeCompare(b.name));
  }, [contracts.data]);
  return { programs, isPending: contracts.isPending, error: contracts.error };
}

/** The event types of several programs, loaded side by side. */
export function useEventTypesOf(programs: Program[] | undefined) {
  const http = useAccountApi();
  const key = useAccountKey();
  const results = useQueries({
    queries: (programs ?? []).map((p) => ({
      queryKey: key('programs', p.Id, 'event-types'),
      queryFn: () => http.get<EventType[]>(`/api/v1/programs/${p.Id}/event-types`),
    })),
  });
  return (programs ?? []).map((program, i) => ({ program, eventTypes: results[i]?.data ?? [] }));
}

/** The brand's operations on actions. Each returns the action as it is afterwards. */
export function useActionCommands() {
  const http = useAccountApi();
  const account = useAccount();
  const queryClient = useQueryClient();
  const refresh = useCallback(async () => {
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: ['account', account.Id, 'actions'] }),
      queryClient.invalidateQueries({ queryKey: ['account', account.Id, 'balances'] }),
    ]);
  }, [queryClient, account.Id]);

  return useMemo(() => {
    const single = async (actionId: string, verb: string, body: unknown = {}) => {
      try {
        return await http.post<ActionDetail>(`/api/v1/actions/${actionId}/${verb}`, body);
      } finally {
        await refresh();
      }
    };
    return {
      refresh,
      approve: (actionId: string) => single(actionId, 'approve'),
      reverse: (actionId: string, reason: ChangeReasonCode) => single(actionId, 'reverse', { Reason: reason } satisfies ReverseBody),
      modify: (actionId: string, body: ModifyBody) => single(actionId, 'modify', body),
      /** Several item changes with one reason, all or nothing (Modify Item Details). */
      modifyItems: (actionId: string, body: ModifyItemsBody) => single(actionId, 'modify-items', body),
      /**
       * What a modify or modify-items request would do (the server's dry run, with the
       * contract's terms): the new amount and payout, nothing saved and nothing to refresh.
       */
      preview: (actionId: string, verb: 'modify' | 'modify-items', body: ModifyBody | ModifyItemsBody) =>
        http.post<ActionPreview>(`/api/v1/actions/${actionId}/${verb}?dryRun=true`, body),
      restore: (actionId: string) => single(actionId, 'restore'),
      reset: (actionId: string) => single(actionId, 'reset'),
      bulk: async (operation: BulkOperation, actionIds: string[], reason?: ChangeReasonCode) => {
        try {
          return await http.post<BulkResult>('/api/v1/actions/bulk', {
            Operation: operation,
            ActionIds: actionIds,
            ...(reason ? { Reason: reason } : {}),
          } satisfies BulkBody);
        } finally {
          await refresh();
        }
      },
    };
  }, [http, refresh]);
}
