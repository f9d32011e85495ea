import { Link } from 'react-router';
import { useActiveContracts, useEventTypes, usePrograms, useTemplateTerms } from '../../api/queries';
import { useAccount, useSession } from '../../api/session';
import type { Program } from '@contract/programs';
import { EmptyState, Loading, QueryError } from '../../components/Feedback';
import { Badge, Card, PageHeader } from '../../components/Form';
import { RETURNS_PROCESSING_LABELS } from '../../lib/labels';
import { BalanceCards } from '../shared/Balances';
import { BrandPerformance } from '../home/LazyCharts';
import { PinnedReports } from '../home/PinnedReports';
import { Kpi, Kpis } from '../shared/Kpi';
import { TermsSummary } from '../shared/TermsSummary';
import { label } from '../../lib/labels';

function ProgramOverview({ program }: { program: Program }) {
  const eventTypes = useEventTypes(program.Id);
  const terms = useTemplateTerms(program.Id);
  const activeTerms = terms.data?.filter((t) => t.Status === 'ACTIVE') ?? [];
  const archived = (terms.data?.length ?? 0) - activeTerms.length;
  return (
    <Card
      testId={`program-overview-${program.Id}`}
      title={
        <>
          {program.Name}{' '}
          <Badge tone={program.Status === 'ACTIVE' ? 'green' : 'gray'}>{label.programStatus(program.Status)}</Badge>
          <span className="card-title-meta">
            Program {program.Id} · {program.Currency} · {program.TimeZone}
          </span>
        </>
      }
      actions={
        <Link to={`/settings/programs/${program.Id}`} className="btn btn-sm">
          Manage
        </Link>
      }
    >
      <div className="split">
        <div>
          <h3 className="subhead">Event types</h3>
          {eventTypes.isPending ? (
            <Loading />
          ) : eventTypes.isError ? (
            <QueryError error={eventTypes.error} />
          ) : eventTypes.data.length === 0 ? (
            <p className="muted">
              No event types yet. <Link to={`/settings/programs/${program.Id}`}>Add one</Link> to start tracking.
            </p>
          ) : (
            <table className="mini-table">
              <thead>
                <tr>
                  <th scope="col">ActionTrackerId</th>
                  <th scope="col">Name</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Returns</th>
                </tr>
              </thead>
              <tbody>
                {eventTypes.data.map((et) => (
                  <tr key={et.Id}>
                    <td className="num">{et.Id}</td>
                    <td>{et.Name}</td>
                    <td>
                      <Badge tone="blue">{label.eventTypeKind(et.Kind)}</Badge>
                    </td>
                    <td className="muted">{RETURNS_PROCESSING_LABELS[et.ReturnsProcessing] ?? et.ReturnsProcessing}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
        <div>
          <h3 className="subhead">
            Template terms{archived > 0 ? <span className="muted small"> · {archived} archived</span> : null}
          </h3>
          {terms.isPending ? (
            <Loading />
          ) : terms.isError ? (
            <QueryError error={terms.error} />
          ) : activeTerms.length === 0 ? (
            <p className="muted">
              No active terms: partners cannot join.{' '}
              <Link to={`/settings/programs/${program.Id}/terms/new`}>Publish terms</Link>
            </p>
          ) : (
            activeTerms.map((t) => (
              <div key={t.Id} className="terms-block">
                <div className="terms-block-title">
                  {t.Name} <span className="muted small">terms {t.Id}</span>
                </div>
                <TermsSummary terms={t.Terms} currency={program.Currency} eventTypes={eventTypes.data} />
              </div>
            ))
          )}
        </div>
      </div>
    </Card>
  );
}

export function BrandHome() {
  const account = useAccount();
  const { me } = useSession();
  const programs = usePrograms();
  const active = useActiveContracts();
  const partners = new Set(active.data?.Items.map((c) => c.MediaPartnerId) ?? []);
  const firstName = me.User.Name.split(' ')[0] ?? me.User.Name;

  return (
    <div className="page">
      <PageHeader
        title={`Welcome back, ${firstName}`}
        subtitle={`${account.Name} · Brand account · ${account.Currency} · ${account.TimeZone}`}
        actions={
          <>
            <Link to="/reports/contract-history" className="btn">
              Contract History
            </Link>
            <Link to="/transactions/pending-payouts" className="btn">
              Pending Payouts
            </Link>
            <Link to="/settings/programs" className="btn btn-primary">
              Manage programs
            </Link>
          </>
        }
      />
      <Kpis>
        <Kpi
          label="Programs"
          value={programs.data?.length ?? '—'}
          hint={programs.data ? `${programs.data.filter((p) => p.Status === 'ACTIVE').length} active` : undefined}
          testId="kpi-programs"
        />
        <Kpi label="Active contracts" value={active.data?.Total ?? '—'} testId="kpi-active-contracts" />
        <Kpi label="Partners under contract" value={active.data ? partners.size : '—'} />
      </Kpis>
      <BalanceCards />
      <PinnedReports />
      <BrandPerformance />
      {programs.isPending ? (
        <Loading />
      ) : programs.isError ? (
        <QueryError error={programs.error} onRetry={() => void programs.refetch()} />
      ) : programs.data.length === 0 ? (
        <EmptyState
          title="No programs yet"
          action={
            <Link to="/settings/programs" className="btn btn-primary">
              Create a program
            </Link>
          }
        >
          A program holds your event types and the terms partners accept.
        </EmptyState>
      ) : (
        <div className="stack">
          {programs.data.map((p) => (
            <ProgramOverview key={p.Id} program={p} />
          ))}
        </div>
      )}
    </div>
  );
}
