import type { ReactNode } from 'react';
import { useActionDetail, useBrandPartners } from '../../../api/actions';
import { useAccount } from '../../../api/session';
import type { Action, ActionDetail, Modification } from '@contract/actions';
import { Drawer } from '../../../components/Drawer';
import { Loading, Notice, QueryError } from '../../../components/Feedback';
import { Badge, Details } from '../../../components/Form';
import { formatContractDate, formatContractDateTime, formatDate, formatDateTime, humanize } from '../../../lib/format';
import { ContractDateTime } from './ContractDate';
import { formatMoney, formatSignedMoney, isZeroAmount } from '../../../lib/money';
import { ActionCorrections } from './ActionCorrections';
import { StatusDetailBadge } from './ActionStatus';
import { AskSupportLink } from '../../support/AskSupport';
import { brandAvailability, CPC_REVERSAL_NEEDS_SUPPORT, type BrandOperation } from './availability';
import { actionStateLabel, operationLabel, reasonLabel } from '../../../lib/labels';
import { isOpenEndedAction } from './openEnded';

interface ActionDetailsDrawerProps {
  actionId: string;
  onClose: () => void;
  /** Brands: the operations offered in the panel (the page opens the matching dialog). */
  onOperation?: (op: BrandOperation, action: Action) => void;
}

/** A contract date of the action: in its program's time zone, named, with the viewer's own time under it. */
const When = ContractDateTime;

function actorText(m: Modification): string {
  if (m.ActorName) return m.ActorName;
  if (m.ActorKind === 'SYSTEM') return 'Lockstep (automatic)';
  if (m.ActorKind === 'OPERATOR') return 'Lockstep support';
  return humanize(m.ActorKind);
}

function BeforeAfter({ before, after, currency }: { before: string | null; after: string; currency: string }) {
  if (before === null) return <span className="nowrap">{formatMoney(after, currency)}</span>;
  if (before === after) return <span className="nowrap muted">{formatMoney(after, currency)}</span>;
  return (
    <span className="nowrap">
      {formatMoney(before, currency)} <span className="arrow">→</span> <strong>{formatMoney(after, currency)}</strong>
    </span>
  );
}

function Delta({ amount, currency }: { amount: string; currency: string }) {
  if (isZeroAmount(amount)) return <span className="muted nowrap">±{formatMoney('0', currency)}</span>;
  return <span className={`nowrap ${amount.startsWith('-') ? 'delta-down' : 'delta-up'}`}>{formatSignedMoney(amount, currency)}</span>;
}

/** The partners of a re-attribution, from the entry's detail (partner ids). */
function reattribution(m: Modification): { from: number; to: number } | null {
  if (m.Operation !== 'REATTRIBUTE' || !m.Detail) return null;
  const from = m.Detail.FromMediaPartnerId;
  const to = m.Detail.ToMediaPartnerId ?? m.Detail.MediaPartnerId;
  return typeof from === 'number' && typeof to === 'number' ? { from, to } : null;
}

export interface ModificationHistoryProps {
  action: ActionDetail;
  timeZone: string;
  /**
   * Brands and operators: names partners by account id, to show who a re-attribution moved
   * the action from and to (partners see that it was re-attributed, not from whom).
   */
  partnerName?: (partnerAccountId: number) => string | undefined;
}

export function ModificationHistory({ action, timeZone, partnerName }: ModificationHistoryProps) {
  const c = action.Currency;
  const nameOf = (id: number) => (id === action.MediaPartnerId ? action.MediaPartnerName : partnerName?.(id)) ?? `Partner #${id}`;
  return (
    <div className="table-scroll">
      <table className="mini-table history-table" aria-label="Modification history" data-testid="modification-history">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">Operation</th>
            <th scope="col">Reason</th>
            <th scope="col">State</th>
            <th scope="col" className="align-right">Amount (Δ)</th>
            <th scope="col" className="align-right">Payout (Δ)</th>
          </tr>
        </thead>
        <tbody>
          {[...action.Modifications].reverse().map((m) => (
            <tr key={m.Seq} data-testid={`modification-${m.Seq}`} data-operation={m.Operation}>
              <td className="num muted">{m.Seq}</td>
              <td data-column="date" className="two-line-cell">
                <span className="nowrap">{formatDate(m.Date, timeZone)}</span>
                <span className="muted small">{formatDateTime(m.Date, timeZone).slice(11)}</span>
              </td>
              <td data-column="actor">{actorText(m)}</td>
              <td>
                <span data-column="operation" title={m.Operation}>
                  {operationLabel(m.Operation)}
                </span>
                {partnerName && reattribution(m) ? (
                  <span className="history-detail muted small" data-column="reattribution">
                    {nameOf(reattribution(m)!.from)} <span className="arrow">→</span> {nameOf(reattribution(m)!.to)}
                  </span>
                ) : null}
              </td>
              <td data-column="reason">
                {m.Reason ? (
                  <span title={m.Reason}>{reasonLabel(m.Reason)}</span>
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
              <td data-column="state" className="nowrap">
                {m.StateBefore && m.StateBefore !== m.StateAfter ? (
                  <>
                    {actionStateLabel(m.StateBefore)} <span className="arrow">→</span> {actionStateLabel(m.StateAfter)}
                  </>
                ) : (
                  actionStateLabel(m.StateAfter)
                )}
              </td>
              <td className="align-right">
                <div data-column="amount">
                  <BeforeAfter before={m.AmountBefore} after={m.AmountAfter} currency={c} />
                </div>
                <div className="delta-line" data-column="deltaAmount">
                  <Delta amount={m.DeltaAmount} currency={c} />
                </div>
              </td>
              <td className="align-right">
                <div data-column="payout">
                  <BeforeAfter before={m.PayoutBefore} after={m.PayoutAfter} currency={c} />
                </div>
                <div className="delta-line" data-column="deltaPayout">
                  <Delta amount={m.DeltaPayout} currency={c} />
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ItemsTable({ action }: { action: Action }) {
  const c = action.Currency;
  return (
    <table className="mini-table items-table" aria-label="Items" data-testid="action-items">
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">SKU</th>
          <th scope="col">Category</th>
          <th scope="col" className="align-right">Quantity</th>
          <th scope="col" className="align-right">Amount</th>
          <th scope="col" className="align-right">Original</th>
          <th scope="col">Status</th>
        </tr>
      </thead>
      <tbody>
        {action.Items.map((item) => {
          const changed = item.OriginalAmount !== null && item.OriginalAmount !== item.Amount;
          return (
            <tr key={item.Index} data-testid={`item-${item.Index}`} className={item.Rejected ? 'item-rejected' : undefined}>
              <td className="num muted">{item.Index}</td>
              <td className="mono">{item.Sku ?? '—'}</td>
              <td>{item.Category ?? '—'}</td>
              <td className="align-right num" data-column="quantity">
                {item.Quantity}
                {item.OriginalQuantity !== null && item.OriginalQuantity !== item.Quantity ? (
                  <span className="muted"> of {item.OriginalQuantity}</span>
                ) : null}
              </td>
              <td className="align-right num" data-column="amount">
                {formatMoney(item.Amount, c)}
              </td>
              <td className="align-right num muted" data-column="original">
                {changed || item.Rejected ? formatMoney(item.OriginalAmount, c) : '—'}
              </td>
              <td data-column="status">
                {item.Rejected ? (
                  <Badge tone="red">Rejected</Badge>
                ) : changed ? (
                  <Badge tone="violet">Modified</Badge>
                ) : (
                  <Badge tone="gray">Accepted</Badge>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function Figure(props: { label: string; value: string; was?: string | null; note?: string; void?: boolean; testId: string }) {
  return (
    <div className="figure">
      <div className="figure-label">{props.label}</div>
      <div className={`figure-value ${props.void ? 'amount-void' : ''}`} data-testid={props.testId}>
        {props.value}
      </div>
      {props.was || props.note ? (
        <div className="figure-was">{[props.was ? `was ${props.was}` : '', props.note ?? ''].filter(Boolean).join(' · ')}</div>
      ) : null}
    </div>
  );
}

const OPERATION_BUTTONS: Array<{ op: BrandOperation; label: string; states: Action['State'][]; danger?: boolean; primary?: boolean }> = [
  { op: 'approve', label: 'Approve', states: ['PENDING'], primary: true },
  { op: 'restore', label: 'Approve', states: ['REVERSED'], primary: true },
  { op: 'modify', label: 'Modify', states: ['PENDING'] },
  { op: 'reverse', label: 'Reverse', states: ['PENDING'], danger: true },
  { op: 'reset', label: 'Reset', states: ['PENDING', 'REVERSED'] },
];

export interface ActionDetailsContentProps {
  action: ActionDetail;
  timeZone: string;
  /** Brands and operators see the partner; a partner sees its own actions only. */
  showPartner: boolean;
  /** A refetch is in progress (the figures fade a little). */
  refreshing?: boolean;
  /** Buttons for what the viewer may do, under the figures. */
  operations?: ReactNode;
  /** Notes under the operations (why something is not offered). */
  notice?: ReactNode;
  partnerName?: (partnerAccountId: number) => string | undefined;
}

/** An action's figures, details, items and modification history: the details panel's body, and the operator's action page. */
export function ActionDetailsContent({ action: a, timeZone: tz, showPartner, refreshing, operations, notice, partnerName }: ActionDetailsContentProps) {
  return (
    <div className={`action-details ${refreshing ? 'is-refreshing' : ''}`}>
      <div className="figures">
        <Figure label="Sale amount" value={formatMoney(a.Amount, a.Currency)} was={a.Amount !== a.IntendedAmount ? formatMoney(a.IntendedAmount, a.Currency) : null} testId="detail-amount" />
        <Figure
          label="Payout"
          value={formatMoney(a.Payout, a.Currency)}
          was={a.Payout !== a.IntendedPayout ? formatMoney(a.IntendedPayout, a.Currency) : null}
          note={a.State === 'REVERSED' ? 'Not earned: the action is reversed' : undefined}
          void={a.State === 'REVERSED'}
          testId="detail-payout"
        />
        <div className="figure">
          <div className="figure-label">Status</div>
          <div className="figure-value figure-status" data-testid="detail-status">
            <StatusDetailBadge action={a} />
          </div>
          <div className="figure-was">
            {a.State === 'PENDING' && isOpenEndedAction(a)
              ? `Open-ended: pending until settled by a returns file or the API; locks on its own ${formatContractDate(a.LockingDate, a.ProgramTimeZone)} (${a.ProgramTimeZone})`
              : a.State === 'PENDING' ? `Locks ${formatContractDateTime(a.LockingDate, a.ProgramTimeZone)} (${a.ProgramTimeZone})` : a.State === 'APPROVED' ? `Locked ${formatContractDateTime(a.LockedDate, a.ProgramTimeZone)} (${a.ProgramTimeZone})` : reasonLabel(a.ReversalReason)}
          </div>
        </div>
      </div>
      {operations}
      {notice}

      <h3 className="subhead">Details</h3>
      <Details
        items={[
          ['Action Id', <span key="id" className="mono">{a.Id}</span>],
          ['Program (CampaignId)', `${a.CampaignName} (${a.CampaignId})`],
          ['Event type (ActionTrackerId)', `${a.EventTypeName} (${a.ActionTrackerId}) · ${a.EventKind}`],
          ...(showPartner
            ? ([['Partner (MediaPartnerId)', <span key="pt" data-testid="detail-partner">{`${a.MediaPartnerName} (${a.MediaPartnerId})`}</span>]] as Array<[ReactNode, ReactNode]>)
            : []),
          ['Order Id', a.OrderId ? <span key="o" className="mono">{a.OrderId}</span> : '—'],
          ['Click Id', a.ClickId ? <span key="c" className="mono">{a.ClickId}</span> : '—'],
          ['Intended amount / payout', `${formatMoney(a.IntendedAmount, a.Currency)} / ${formatMoney(a.IntendedPayout, a.Currency)}`],
          ['Delta amount / payout', `${formatSignedMoney(a.DeltaAmount, a.Currency)} / ${formatSignedMoney(a.DeltaPayout, a.Currency)}`],
          ['Referring date', <When key="r" iso={a.ReferringDate} timeZone={a.ProgramTimeZone} />],
          ['Event date', <When key="e" iso={a.EventDate} timeZone={a.ProgramTimeZone} />],
          [
            'Locking date',
            isOpenEndedAction(a) ? (
              <span key="l" data-testid="detail-open-ended">
                Open-ended <span className="muted">(locks on its own <When iso={a.LockingDate} timeZone={a.ProgramTimeZone} />, 730 days after the day tracked)</span>
              </span>
            ) : (
              <When key="l" iso={a.LockingDate} timeZone={a.ProgramTimeZone} />
            ),
          ],
          ['Locked date', <When key="ld" iso={a.LockedDate} timeZone={a.ProgramTimeZone} />],
          ['Payment date', <When key="p" iso={a.PaymentDate} timeZone={a.ProgramTimeZone} />],
          ['Cleared date', <When key="cl" iso={a.ClearedDate} timeZone={a.ProgramTimeZone} />],
          ['Reversal reason', a.ReversalReason ? `${a.ReversalReason} · ${reasonLabel(a.ReversalReason)}` : '—'],
          ['Contract', String(a.ContractId)],
        ]}
      />

      {a.Items.length ? (
        <>
          <h3 className="subhead">
            Items <span className="muted small">· {a.Items.filter((i) => i.Rejected).length} rejected of {a.Items.length}</span>
          </h3>
          <ItemsTable action={a} />
        </>
      ) : null}

      <h3 className="subhead">
        Modification history <span className="muted small">· {a.Modifications.length} {a.Modifications.length === 1 ? 'entry' : 'entries'}, newest first. Dates in {tz}.</span>
      </h3>
      <ModificationHistory action={a} timeZone={tz} partnerName={partnerName} />
      <ActionCorrections action={a} timeZone={tz} />
    </div>
  );
}

export function ActionDetailsDrawer({ actionId, onClose, onOperation }: ActionDetailsDrawerProps) {
  const account = useAccount();
  const detail = useActionDetail(actionId);
  const a = detail.data;
  const tz = account.TimeZone;
  const isBrand = account.Kind === 'BRAND';
  const partners = useBrandPartners(isBrand);
  const partnerNames = new Map((partners.data ?? []).map((p) => [p.MediaPartnerId, p.MediaPartnerName]));

  let operations: ReactNode = null;
  const blocked: string[] = [];
  if (a && onOperation && a.State !== 'APPROVED') {
    const offered = OPERATION_BUTTONS.filter((b) => b.states.includes(a.State));
    operations = (
      <fieldset className="drawer-operations" aria-label="Operations">
        {offered.map((b) => {
          const availability = brandAvailability(a, b.op, tz);
          if (!availability.enabled && availability.reason && !blocked.includes(availability.reason)) blocked.push(availability.reason);
          return (
            <button
              key={b.op}
              type="button"
              className={`btn btn-sm ${b.primary ? 'btn-primary' : ''} ${b.danger ? 'btn-danger-ghost' : ''}`}
              disabled={!availability.enabled}
              title={availability.reason}
              onClick={() => onOperation(b.op, a)}
            >
              {b.label}
            </button>
          );
        })}
      </fieldset>
    );
  }

  const notice: ReactNode = !a ? null : (
    <>
      {a.State === 'APPROVED' && onOperation ? (
        <Notice kind="info">This action is locked (approved): it is shown read-only. A correction after the lock is a separate adjustment.</Notice>
      ) : null}
      {a.EventKind === 'CLICK' && a.State === 'PENDING' && onOperation ? (
        <Notice kind="warning">
          <span data-testid="cpc-note">This is a cost-per-click (CPC) action. {CPC_REVERSAL_NEEDS_SUPPORT}</span>{' '}
          <AskSupportLink type="CPC_REVERSAL" subject={`Reverse cost-per-click action ${a.Id}`} actionIds={[a.Id]} message={`Please reverse cost-per-click action ${a.Id}. Reason: `} />
        </Notice>
      ) : blocked.length ? (
        <p className="muted small drawer-blocked">{blocked.join(' ')}</p>
      ) : null}
      {isBrand && a.State === 'PENDING' && onOperation ? (
        <p className="muted small" data-testid="reattribution-note">
          Credited to the wrong partner? Only support re-attributes an action.{' '}
          <AskSupportLink
            type="REATTRIBUTION"
            subject={`Re-attribute action ${a.Id}`}
            actionIds={[a.Id]}
            message={`Action ${a.Id} is credited to ${a.MediaPartnerName}; it should be credited to: `}
            label="Ask support to re-attribute it"
          />
        </p>
      ) : null}
    </>
  );

  return (
    <Drawer
      title={`Action ${actionId}`}
      subtitle={a ? `${a.CampaignName} · ${a.EventTypeName}${isBrand ? ` · ${a.MediaPartnerName}` : ''}` : undefined}
      onClose={onClose}
      testId="action-details"
    >
      {detail.isPending ? (
        <Loading />
      ) : detail.isError ? (
        <QueryError error={detail.error} onRetry={() => void detail.refetch()} />
      ) : a ? (
        <ActionDetailsContent
          action={a}
          timeZone={tz}
          showPartner={isBrand}
          refreshing={detail.isFetching}
          operations={operations}
          notice={notice}
          partnerName={isBrand ? (id) => partnerNames.get(id) : undefined}
        />
      ) : null}
    </Drawer>
  );
}
