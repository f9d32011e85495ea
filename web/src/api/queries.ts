import { useQuery } from '@tanstack/react-query';
import { useAccountApi, useAccountKey } from './session';
import type { Page } from '@contract/common';
import type { Contract } from '@contract/contracts';
import type { EventType, Program, TemplateTerms } from '@contract/programs';

/** Brand: its programs. Partner: the programs it can join. */
export function usePrograms() {
  const http = useAccountApi();
  const key = useAccountKey();
  return useQuery({ queryKey: key('programs'), queryFn: () => http.get<Program[]>('/api/v1/programs') });
}

export function useProgram(programId: number, enabled = true) {
  const http = useAccountApi();
  const key = useAccountKey();
  return useQuery({ queryKey: key('programs', programId), queryFn: () => http.get<Program>(`/api/v1/programs/${programId}`), enabled });
}

export function useEventTypes(programId: number, enabled = true) {
  const http = useAccountApi();
  const key = useAccountKey();
  return useQuery({
    queryKey: key('programs', programId, 'event-types'),
    queryFn: () => http.get<EventType[]>(`/api/v1/programs/${programId}/event-types`),
    enabled,
  });
}

export function useTemplateTerms(programId: number, enabled = true) {
  const http = useAccountApi();
  const key = useAccountKey();
  return useQuery({
    queryKey: key('programs', programId, 'terms'),
    queryFn: () => http.get<TemplateTerms[]>(`/api/v1/programs/${programId}/terms`),
    enabled,
  });
}

/** Current active contracts (first 500), for summaries; the report pages through all of them. */
export function useActiveContracts() {
  const http = useAccountApi();
  const key = useAccountKey();
  return useQuery({
    queryKey: key('contracts', 'active-summary'),
    queryFn: () =>
      http.get<Page<Contract>>('/api/v1/contracts', { status: 'ACTIVE', pageSize: 500, sort: 'StartDate', order: 'desc' }),
  });
}
