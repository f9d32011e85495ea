/**
 * Reports pinned to Home (issue 16 item 2): each as a compact table of its first 5 rows (or
 * a chart), in the user's order, moved up or down and removed here. A pin whose filters no
 * longer work (a program closed since, a filter the report no longer takes) says so on its
 * card; the rest of Home is unaffected.
 */
import { Link } from 'react-router';
import type { Pin, PreviewCell, ReportPreview } from '@contract/pins';
import { errorDetail } from '../../api/client';
import { usePinMutations, usePins, useReportCatalog, useReportPreview } from '../../api/reports';
import { useAccount } from '../../api/session';
import { Loading, Notice, QueryError } from '../../components/Feedback';
import { Card } from '../../components/Form';
import { useToast } from '../../components/Toast';
import { formatDateTime } from '../../lib/format';
import { formatMoney } from '../../lib/money';
import { filtersText } from '../reports/ExportDialog';
import { PinnedChart } from './LazyCharts';

function cellText(cell: PreviewCell, type: string, timeZone: string): string {
  if (cell === null) return '—';
  if (typeof cell === 'object') return formatMoney(cell.Amount, cell.Currency);
  if (type === 'date' && typeof cell === 'string') return formatDateTime(cell, timeZone);
  return String(cell);
}

function PreviewTable({ preview, label }: { preview: ReportPreview; label: string }) {
  const account = useAccount();
  if (preview.Rows.length === 0) return <p className="muted">No rows match these filters.</p>;
  return (
    <div className="table-scroll">
      <table className="mini-table pin-table" aria-label={label}>
        <thead>
          <tr>
            {preview.Columns.map((c) => (
              <th key={c.Name} scope="col" className={c.Type === 'money' || c.Type === 'number' ? 'num' : undefined}>
                {c.Name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {preview.Rows.map((row, r) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a preview row is its place in the report's first rows
            <tr key={r}>
              {row.map((cell, i) => (
                <td key={preview.Columns[i]!.Name} className={preview.Columns[i]!.Type === 'money' || preview.Columns[i]!.Type === 'number' ? 'num nowrap' : 'nowrap'}>
                  {cellText(cell, preview.Columns[i]!.Type, account.TimeZone)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {preview.More ? <p className="muted small">The first {preview.Rows.length} rows; open the report for the rest.</p> : null}
    </div>
  );
}

function PinBody({ pin }: { pin: Pin }) {
  const preview = useReportPreview(`${pin.PreviewUrl}${pin.PreviewUrl.includes('?') ? '&' : '?'}rows=5`, pin.Display === 'TABLE');
  if (pin.Display === 'CHART') return <PinnedChart {...(pin.Filters.programId ? { programId: pin.Filters.programId } : {})} />;
  if (preview.isPending) return <Loading />;
  if (preview.isError) {
    return (
      <div data-testid="pin-broken">
        <Notice kind="warning">
          This pin’s filters no longer work: {errorDetail(preview.error)} Remove the pin and pin the report again with filters that apply.
        </Notice>
      </div>
    );
  }
  return <PreviewTable preview={preview.data} label={pin.Title} />;
}

export function PinnedReports() {
  const pins = usePins();
  const catalog = useReportCatalog();
  const toast = useToast();
  const { remove, reorder } = usePinMutations();
  if (pins.isPending) return <Loading label="Loading pinned reports…" />;
  if (pins.isError) return <QueryError error={pins.error} onRetry={() => void pins.refetch()} />;
  const items = pins.data.Items;
  if (items.length === 0) {
    return (
      <p className="muted small pin-hint" data-testid="pins-empty">
        Pin a report to Home from its page’s More menu (Pending Payouts, Contract History) to see its first rows here.
      </p>
    );
  }
  const move = (index: number, by: -1 | 1) => {
    const ids = items.map((p) => p.Id);
    const [moved] = ids.splice(index, 1);
    ids.splice(index + by, 0, moved!);
    reorder.mutate(ids, { onError: (error) => toast.error(`The pins could not be reordered: ${errorDetail(error)}`) });
  };
  return (
    <section className="pins" aria-label="Pinned reports" data-testid="pinned-reports">
      {items.map((pin, index) => {
        const uiPath = catalog.data?.Items.find((r) => r.Id === pin.Report)?.UiPath ?? null;
        const open = pin.Link ?? uiPath;
        return (
          <Card
            key={pin.Id}
            testId={`pin-${pin.Id}`}
            className="pin-card"
            title={
              <>
                {pin.Title} <span className="card-title-meta">{pin.ReportTitle ?? pin.Report} · {filtersText(pin.Filters)}</span>
              </>
            }
            actions={
              <div className="pin-actions">
                {open ? (
                  <Link to={open} className="btn btn-sm">
                    Open
                  </Link>
                ) : null}
                <button type="button" className="btn btn-sm" aria-label={`Move ${pin.Title} up`} disabled={index === 0 || reorder.isPending} onClick={() => move(index, -1)}>
                  ↑
                </button>
                <button
                  type="button"
                  className="btn btn-sm"
                  aria-label={`Move ${pin.Title} down`}
                  disabled={index === items.length - 1 || reorder.isPending}
                  onClick={() => move(index, 1)}
                >
                  ↓
                </button>
                <button
                  type="button"
                  className="btn btn-sm"
                  aria-label={`Remove ${pin.Title} from Home`}
                  disabled={remove.isPending}
                  onClick={() => remove.mutate(pin.Id, { onError: (error) => toast.error(`The pin could not be removed: ${errorDetail(error)}`) })}
                >
                  Remove
                </button>
              </div>
            }
          >
            <PinBody pin={pin} />
          </Card>
        );
      })}
    </section>
  );
}
