import { useMemo, useState } from 'react';
import { Link, Navigate } from 'react-router';
import { EXPORT_FORMAT_LABELS, useRecentExports, useReportCatalog, type Report, type ReportExportDto } from '../../api/reports';
import { useAccount } from '../../api/session';
import { columnsFor, DataTable, type ServerTableState } from '../../components/DataTable';
import { EmptyState, Loading, QueryError } from '../../components/Feedback';
import { Card, PageHeader } from '../../components/Form';
import { formatDateTime } from '../../lib/format';
import type { PageDef } from '../../navigation';
import { ContractHistoryPage } from './ContractHistoryPage';
import { ExportDialog, ExportDownloadButton, ExportStatusBadge, filtersText } from './ExportDialog';
import { SchedulesPage } from './SchedulesPage';
import '../../styles/reports.css';

export const reportPages: PageDef[] = [
  {
    path: 'all',
    label: 'All Reports',
    element: <AllReportsPage />,
    description: 'Every report of the account by category: open one, or export it as a file written in the background.',
  },
  {
    path: 'contract-history',
    label: 'Contract History',
    element: <ContractHistoryPage />,
    description: 'Every contract, current and past: filter by program, status and termination reason; expire contracts.',
  },
  {
    path: 'schedules',
    label: 'Schedules',
    element: <SchedulesPage />,
    description: 'Reports run daily, weekly or monthly and e-mailed: their timing, dates, pause and resume, run history with each file.',
  },
];

const NO_REPORTS: Report[] = [];
const NO_EXPORTS: ReportExportDto[] = [];
const col = columnsFor<ReportExportDto>();

function ReportCard({ report, onExport }: { report: Report; onExport: () => void }) {
  return (
    <div className="report-card catalog-card" data-testid={`report-${report.Id}`}>
      <div className="report-card-title">{report.UiPath ? <Link to={report.UiPath}>{report.Title}</Link> : report.Title}</div>
      <div className="report-card-text">{report.Description}</div>
      <div className="catalog-card-actions">
        {report.UiPath ? (
          <Link to={report.UiPath} className="btn btn-sm" aria-label={`Open ${report.Title}`}>
            Open
          </Link>
        ) : null}
        <button type="button" className="btn btn-sm" onClick={onExport} aria-label={`Export ${report.Title}`} data-testid={`export-${report.Id}`}>
          Export
        </button>
      </div>
    </div>
  );
}

/** The account's exports (every report's), newest first: status, and the file while it is kept. */
function RecentExports({ reports }: { reports: Report[] }) {
  const account = useAccount();
  const [state, setState] = useState<ServerTableState>({ pageIndex: 0, pageSize: 10, sorting: [], search: '' });
  const titles = useMemo(() => new Map(reports.map((r) => [r.Id, r.Title])), [reports]);
  const exports = useRecentExports(state.pageIndex + 1, state.pageSize);
  const columns = useMemo(
    () => [
      col.accessor('Id', { header: 'Export', enableSorting: false, meta: { className: 'num', width: 80 } }),
      col.accessor('Report', { header: 'Report', enableSorting: false, cell: (info) => titles.get(info.getValue()) ?? info.getValue() }),
      col.accessor('Format', { header: 'Format', enableSorting: false, cell: (info) => EXPORT_FORMAT_LABELS[info.getValue()] }),
      col.accessor('Filters', { header: 'Filters', enableSorting: false, cell: (info) => <span className="muted small">{filtersText(info.getValue())}</span> }),
      col.accessor('Status', { header: 'Status', enableSorting: false, cell: (info) => <ExportStatusBadge status={info.getValue()} /> }),
      col.accessor('RowsWritten', { header: 'Rows', enableSorting: false, meta: { className: 'num' }, cell: (info) => info.getValue().toLocaleString('en-US') }),
      col.accessor('CreatedDate', { header: 'Requested', enableSorting: false, meta: { className: 'nowrap' }, cell: (info) => formatDateTime(info.getValue(), account.TimeZone) }),
      col.accessor('ExpiresDate', { header: 'Kept until', enableSorting: false, meta: { className: 'nowrap' }, cell: (info) => formatDateTime(info.getValue(), account.TimeZone) }),
      col.display({
        id: 'download',
        header: () => <span className="visually-hidden">Download</span>,
        meta: { align: 'right' },
        cell: ({ row }) => (row.original.Status === 'COMPLETED' ? <ExportDownloadButton job={row.original} /> : null),
      }),
    ],
    [titles, account.TimeZone],
  );
  return (
    <Card title="Recent exports">
      <DataTable
        label="Recent exports"
        testId="recent-exports"
        columns={columns}
        data={exports.data?.Items ?? NO_EXPORTS}
        getRowId={(e) => e.Id}
        rowTestId={(e) => `export-row-${e.Id}`}
        itemName={['export', 'exports']}
        loading={exports.isPending}
        refreshing={exports.isFetching && !exports.isPending}
        error={exports.error}
        onRetry={() => void exports.refetch()}
        emptyMessage="No exports yet. Export a report above, or from a report page's More menu; files are kept 7 days."
        pageSizeOptions={[10, 25, 50]}
        server={{ rowCount: exports.data?.Total ?? 0, state, onStateChange: setState }}
      />
    </Card>
  );
}

/** The Reports section opens on All Reports. */
export function ReportsIndex() {
  return <Navigate to="/reports/all" replace />;
}

/** Reports → All Reports: the catalog of the reports this account may run, by category. */
export function AllReportsPage() {
  const account = useAccount();
  const catalog = useReportCatalog();
  const [search, setSearch] = useState('');
  const [exporting, setExporting] = useState<Report | null>(null);
  const reports = catalog.data?.Items ?? NO_REPORTS;
  const words = search.trim().toLowerCase();
  const shown = words ? reports.filter((r) => `${r.Title} ${r.Description}`.toLowerCase().includes(words)) : reports;
  const categories = [...new Set(shown.map((r) => r.Category))];

  return (
    <div className="page">
      <PageHeader title="All Reports" subtitle={`Reports of ${account.Name}: open one, or export it as a file (CSV, Excel, PDF) written in the background.`} />
      <div className="catalog-search">
        <label className="visually-hidden" htmlFor="report-search">
          Search reports
        </label>
        <input
          id="report-search"
          className="input"
          type="search"
          placeholder="Search reports by title or description"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          data-testid="report-search"
        />
      </div>
      {catalog.isPending ? (
        <Loading />
      ) : catalog.isError ? (
        <QueryError error={catalog.error} onRetry={() => void catalog.refetch()} />
      ) : shown.length === 0 ? (
        <EmptyState title="No report matches">No report’s title or description contains “{search.trim()}”.</EmptyState>
      ) : (
        categories.map((category) => (
          <section key={category} className="catalog-category" aria-labelledby={`category-${category}`}>
            <h2 className="subhead" id={`category-${category}`}>
              {category}
            </h2>
            <div className="report-grid">
              {shown
                .filter((r) => r.Category === category)
                .map((r) => (
                  <ReportCard key={r.Id} report={r} onExport={() => setExporting(r)} />
                ))}
            </div>
          </section>
        ))
      )}
      <RecentExports reports={reports} />
      {exporting ? <ExportDialog report={exporting} filters={{}} onClose={() => setExporting(null)} /> : null}
    </div>
  );
}
