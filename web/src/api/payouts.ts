/**
 * Payouts in the UI: a partner's withdrawal settings and paystubs (Settings → Withdrawal
 * settings, Finance → Withdrawals), and the operator console's payout runs. Saving
 * settings refreshes them; marking a run sent or a paystub failed refreshes the runs.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type QueryValue } from './client';
import { useAccount, useAccountApi, useAccountKey } from './session';
import type { Page } from '@contract/common';
import type {
  FailPaystubBody,
  Paystub,
  PaystubAction,
  PayoutRun,
  PayoutRunDetail,
  WithdrawalSettings,
  WithdrawalSettingsAnswer,
  WithdrawalSettingsBody,
} from '@contract/payouts';

export function useWithdrawalSettings() {
  const http = useAccountApi();
  const key = useAccountKey();
  return useQuery({ queryKey: key('withdrawal-settings'), queryFn: () => http.get<WithdrawalSettings>('/api/v1/withdrawal-settings') });
}

export function useSaveWithdrawalSettings() {
  const http = useAccountApi();
  const account = useAccount();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: WithdrawalSettingsBody) => http.put<WithdrawalSettingsAnswer>('/api/v1/withdrawal-settings', body),
    onSuccess: (answer) => {
      const { BankDetailsChanged: _changed, ...settings } = answer;
      queryClient.setQueryData(['account', account.Id, 'withdrawal-settings'], settings);
    },
  });
}

export function usePaystubs(query: Record<string, QueryValue>) {
  const http = useAccountApi();
  const key = useAccountKey();
  return useQuery({
    queryKey: key('paystubs', query),
    queryFn: () => http.get<Page<Paystub>>('/api/v1/paystubs', query),
    placeholderData: keepPreviousData,
  });
}

export function usePaystub(paystubId: string, enabled: boolean) {
  const http = useAccountApi();
  const key = useAccountKey();
  return useQuery({ queryKey: key('paystubs', 'one', paystubId), queryFn: () => http.get<Paystub>(`/api/v1/paystubs/${paystubId}`), enabled });
}

export function usePaystubActions(paystubId: string, query: { page: number; pageSize: number }, enabled: boolean) {
  const http = useAccountApi();
  const key = useAccountKey();
  return useQuery({
    queryKey: key('paystubs', 'actions', paystubId, query),
    queryFn: () => http.get<Page<PaystubAction>>(`/api/v1/paystubs/${paystubId}/actions`, query),
    placeholderData: keepPreviousData,
    enabled,
  });
}

// --- Operators -----------------------------------------------------------------------------

const RUNS_KEY = ['operator', 'payout-runs'] as const;

export function usePayoutRuns(query: Record<string, QueryValue>) {
  return useQuery({
    queryKey: [...RUNS_KEY, 'list', query],
    queryFn: () => api.get<Page<PayoutRun>>('/api/v1/operator/payout-runs', query),
    placeholderData: keepPreviousData,
  });
}

export function usePayoutRun(runId: string, enabled: boolean) {
  return useQuery({
    queryKey: [...RUNS_KEY, 'one', runId],
    queryFn: () => api.get<PayoutRunDetail>(`/api/v1/operator/payout-runs/${runId}`),
    enabled,
  });
}

export function useRunPaystubs(runId: string, query: { page: number; pageSize: number }, enabled: boolean) {
  return useQuery({
    queryKey: [...RUNS_KEY, 'paystubs', runId, query],
    queryFn: () => api.get<Page<Paystub>>(`/api/v1/operator/payout-runs/${runId}/paystubs`, query),
    placeholderData: keepPreviousData,
    enabled,
  });
}

export function useMarkRunSent() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (runId: number) => api.post<PayoutRun>(`/api/v1/operator/payout-runs/${runId}/mark-sent`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: RUNS_KEY }),
  });
}

export function useFailPaystub() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ paystubId, reason }: { paystubId: string; reason: string }) =>
      api.post<Paystub>(`/api/v1/operator/paystubs/${paystubId}/fail`, { Reason: reason } satisfies FailPaystubBody),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: RUNS_KEY }),
  });
}
