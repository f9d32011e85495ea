/**
 * Next to a report page's downloads: "Export via API" (the report queued as a job with the
 * filters on screen, followed in the export dialog) and "Pin to Home" (the report with
 * these filters on the user's Home).
 */
import { useState } from 'react';
import { useLocation } from 'react-router';
import { errorDetail, type QueryValue } from '../../api/client';
import { usePinMutations } from '../../api/reports';
import { useAccount } from '../../api/session';
import { Dialog } from '../../components/Dialog';
import { ErrorMessage } from '../../components/Feedback';
import { Field } from '../../components/Form';
import { Menu } from '../../components/Menu';
import { useToast } from '../../components/Toast';
import { ExportDialog, filtersText } from './ExportDialog';

/** The filters as a report's exports take them: text values, empty ones left out. */
export function reportFilters(filters: Record<string, QueryValue>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(filters)
      .filter(([, v]) => v !== null && v !== undefined && v !== '')
      .map(([k, v]) => [k, String(v)]),
  );
}

function PinDialog({ report, filters, chart, onClose }: { report: { Id: string; Title: string }; filters: Record<string, string>; chart: boolean; onClose: () => void }) {
  const location = useLocation();
  const account = useAccount();
  const toast = useToast();
  const { pin } = usePinMutations();
  const [title, setTitle] = useState(report.Title);
  const [display, setDisplay] = useState<'TABLE' | 'CHART'>('TABLE');
  return (
    <Dialog
      title="Pin to Home"
      onClose={onClose}
      size="sm"
      testId="pin-dialog"
      onSubmit={() =>
        pin.mutate(
          { Report: report.Id, Title: title.trim() || report.Title, Filters: filters, Display: display, Link: `${location.pathname}${location.search}` },
          {
            onSuccess: () => {
              toast.success(`${title.trim() || report.Title} is pinned to your Home.`);
              onClose();
            },
          },
        )
      }
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={pin.isPending}>
            {pin.isPending ? 'Pinning…' : 'Pin'}
          </button>
        </>
      }
    >
      <Field label="Title on Home">
        <input className="input" value={title} maxLength={120} onChange={(e) => setTitle(e.target.value)} required />
      </Field>
      {chart ? (
        <fieldset className="radio-group">
          <legend>Show as</legend>
          <label className="radio">
            <input type="radio" name="pin-display" checked={display === 'TABLE'} onChange={() => setDisplay('TABLE')} /> A table of its first rows
          </label>
          <label className="radio">
            <input type="radio" name="pin-display" checked={display === 'CHART'} onChange={() => setDisplay('CHART')} /> A chart of the {account.Kind === 'PARTNER' ? 'earnings' : 'payout'} per day
          </label>
        </fieldset>
      ) : null}
      <p className="muted small">{filtersText(filters)}</p>
      {pin.error ? <ErrorMessage>{errorDetail(pin.error)}</ErrorMessage> : null}
    </Dialog>
  );
}

export function ReportActions({
  report,
  filters,
  chart = false,
}: {
  report: { Id: string; Title: string };
  filters: Record<string, QueryValue>;
  /** The report can be pinned as a chart (Pending Payouts Actions). */
  chart?: boolean;
}) {
  const [open, setOpen] = useState<'export' | 'pin' | null>(null);
  const checked = reportFilters(filters);
  return (
    <>
      <Menu
        label="More"
        buttonClassName="btn"
        testId="report-actions"
        items={[
          { label: 'Export via API', description: 'A file written in the background, kept 7 days', onSelect: () => setOpen('export'), testId: 'export-via-api' },
          { label: 'Pin to Home', description: 'This report with these filters', onSelect: () => setOpen('pin'), testId: 'pin-to-home' },
        ]}
      />
      {open === 'export' ? <ExportDialog report={report} filters={checked} onClose={() => setOpen(null)} /> : null}
      {open === 'pin' ? <PinDialog report={report} filters={checked} chart={chart} onClose={() => setOpen(null)} /> : null}
    </>
  );
}
