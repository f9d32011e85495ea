/**
 * Reports (issue 16): the catalog (Reports → All Reports), export jobs queued through the
 * API and followed until their file is ready, pins on Home with their previews, and the
 * performance figures behind the Home charts.
 */
import type { ExportFileFormat, ExportState } from '@contract/enums';
import type { Report, ReportExportDto } from '@contract/reports';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Page } from '@contract/common';
import type { DailyPerformance, PerformanceByBrand, TopPartners } from '@contract/performance';
import type { CreatePinBody, Pin, ReportPreview } from '@contract/pins';
import type { QueryValue } from './client';
import { useAccountApi, useAccountKey } from './session';

/* The wire types of src/http/contract/reports.ts, its enums from the reports module's leaf file. */
export type ExportFormat = ExportFileFormat;
export type ExportStatus = ExportState;
export type { Report, ReportExportDto };

export const EXPORT_FORMAT_LABELS: Record<ExportFormat, string> = { csv: 'CSV', xlsx: 'Excel', pdf: 'PDF' };

/** The reports this account may run. */
export function useReportCatalog() {
  const http = useAccountApi();
  const key = useAccountKey();
  return useQuery({ queryKey: key('reports', 'catalog'), queryFn: () => http.get<{ Items: Report[] }>('/api/v1/reports'), staleTime: 5 * 60_000 });
}

/** Queues an export of a report with filters (or finds the identical one of the last 10 minutes). */
export function useCreateExport() {
  const http = useAccountApi();
  const key = useAccountKey();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { report: string; format: ExportFormat; filters: Record<string, QueryValue> }) => {
      const filters = Object.fromEntries(
        Object.entries(input.filters).filter((entry): entry is [string, string | number | boolean] => entry[1] !== null && entry[1] !== undefined && entry[1] !== ''),
      );
      return http.post<ReportExportDto>(`/api/v1/reports/${input.report}/exports`, { Format: input.format, Filters: filters });
    },
    onSuccess: () => void client.invalidateQueries({ queryKey: key('reports', 'exports') }),
  });
}

const RUNNING = new Set(['QUEUED', 'RUNNING']);

/** One export job, asked again every 2 seconds while it is queued or running. */
export function useExportJob(job: Pick<ReportExportDto, 'Url' | 'Id'> | null) {
  const http = useAccountApi();
  const key = useAccountKey();
  const client = useQueryClient();
  return useQuery({
    queryKey: key('reports', 'exports', 'job', job?.Id),
    queryFn: async () => {
      const answer = await http.get<ReportExportDto>(job!.Url);
      if (!RUNNING.has(answer.Status)) void client.invalidateQueries({ queryKey: key('reports', 'exports', 'list') });
      return answer;
    },
    enabled: job !== null,
    refetchInterval: (query) => (query.state.data && !RUNNING.has(query.state.data.Status) ? false : 2000),
  });
}

/** The account's exports of every report, newest first, a page at a time. */
export function useRecentExports(page: number, pageSize: number) {
  const http = useAccountApi();
  const key = useAccountKey();
  return useQuery({
    queryKey: key('reports', 'exports', 'list', page, pageSize),
    placeholderData: keepPreviousData,
    queryFn: () => http.get<Page<ReportExportDto>>('/api/v1/report-exports', { page, pageSize }),
    refetchInterval: (query) => (query.state.data?.Items.some((e) => RUNNING.has(e.Status)) ? 2000 : false),
  });
}

export function usePins() {
  const http = useAccountApi();
  const key = useAccountKey();
  return useQuery({ queryKey: key('pins'), queryFn: () => http.get<{ Items: Pin[] }>('/api/v1/pins') });
}

export function usePinMutations() {
  const http = useAccountApi();
  const key = useAccountKey();
  const client = useQueryClient();
  const refresh = () => void client.invalidateQueries({ queryKey: key('pins') });
  return {
    pin: useMutation({ mutationFn: (body: CreatePinBody) => http.post<Pin>('/api/v1/pins', body), onSuccess: refresh }),
    remove: useMutation({ mutationFn: (id: number) => http.del<Pin>(`/api/v1/pins/${id}`), onSuccess: refresh }),
    reorder: useMutation({
      mutationFn: (ids: number[]) => http.put<{ Items: Pin[] }>('/api/v1/pins/order', { Ids: ids }),
      onSuccess: (answer) => client.setQueryData(key('pins'), answer),
    }),
  };
}

/** The first rows of a pinned report (its PreviewUrl). */
export function useReportPreview(url: string, enabled = true) {
  const http = useAccountApi();
  const key = useAccountKey();
  return useQuery({ queryKey: key('reports', 'preview', url), queryFn: () => http.get<ReportPreview>(url), enabled });
}

export interface PerformanceQuery {
  from?: string;
  to?: string;
  programId?: string;
}

export function useDailyPerformance(query: PerformanceQuery & { by?: 'program' | 'currency' }) {
  const http = useAccountApi();
  const key = useAccountKey();
  return useQuery({
    queryKey: key('performance', 'daily', query),
    queryFn: () => http.get<DailyPerformance>('/api/v1/performance/daily', { ...query }),
    placeholderData: keepPreviousData,
  });
}

export function useTopPartners(query: PerformanceQuery, enabled = true) {
  const http = useAccountApi();
  const key = useAccountKey();
  return useQuery({ queryKey: key('performance', 'top-partners', query), queryFn: () => http.get<TopPartners>('/api/v1/performance/top-partners', { ...query }), enabled });
}

export function useEarningsByBrand(query: PerformanceQuery, enabled = true) {
  const http = useAccountApi();
  const key = useAccountKey();
  return useQuery({ queryKey: key('performance', 'by-brand', query), queryFn: () => http.get<PerformanceByBrand>('/api/v1/performance/by-brand', { ...query }), enabled });
}
