import type { ReactNode } from 'react';

export function AuthLayout({ title, subtitle, children }: { title: string; subtitle?: ReactNode; children: ReactNode }) {
  return (
    <div className="auth">
      <div className="auth-panel">
        <div className="auth-brand">
          <svg width="30" height="30" viewBox="0 0 32 32" aria-hidden="true">
            <rect width="32" height="32" rx="7" fill="#2f5bea" />
            <path d="M9 8h4v13h10v4H9z" fill="#fff" />
            <circle cx="23" cy="11" r="3" fill="#9ec1ff" />
          </svg>
          <span>Lockstep</span>
        </div>
        <div className="auth-card">
          <h1>{title}</h1>
          {subtitle ? <p className="auth-subtitle">{subtitle}</p> : null}
          {children}
        </div>
        <p className="auth-footer">Partnership programs, contracts and payouts.</p>
      </div>
    </div>
  );
}
