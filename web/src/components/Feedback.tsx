import type { ReactNode } from 'react';
import { errorDetail } from '../api/client';

export function ErrorMessage({ children }: { children: ReactNode }) {
  return (
    <div className="alert alert-error" role="alert" data-testid="error-message">
      {children}
    </div>
  );
}

/** A failed query: what went wrong, in the server's words, and a retry. */
export function QueryError({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return (
    <div className="alert alert-error" role="alert" data-testid="error-message">
      <span>{errorDetail(error)}</span>
      {onRetry ? (
        <button type="button" className="btn btn-sm" onClick={onRetry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}

/**
 * A notice: its text is one block (an .alert lays its children out as a row, so text with a
 * link in it would otherwise be split into pieces spread across the width), then any action.
 */
export function Notice({ children, kind = 'info', action }: { children: ReactNode; kind?: 'info' | 'warning' | 'success'; action?: ReactNode }) {
  return (
    <div className={`alert alert-${kind}`}>
      <div className="alert-text">{children}</div>
      {action}
    </div>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty-state">
      <div className="empty-state-title">{title}</div>
      {children ? <div className="empty-state-text">{children}</div> : null}
      {action ? <div className="empty-state-action">{action}</div> : null}
    </div>
  );
}
