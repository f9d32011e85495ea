import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { api, errorDetail } from '../api/client';
import { ME_KEY, useSession } from '../api/session';
import { Menu } from '../components/Menu';
import { useToast } from '../components/Toast';
import { sections, visiblePages } from '../sections';
import { humanize } from '../lib/format';
import { PendingInvitations } from './PendingInvitations';
import { PasswordDialog, ProfileDialog } from './UserDialogs';

function Logo() {
  return (
    <NavLink to="/" className="logo" aria-label="Lockstep home">
      <svg width="22" height="22" viewBox="0 0 32 32" aria-hidden="true">
        <rect width="32" height="32" rx="7" fill="#2f5bea" />
        <path d="M9 8h4v13h10v4H9z" fill="#fff" />
        <circle cx="23" cy="11" r="3" fill="#9ec1ff" />
      </svg>
      <span>Lockstep</span>
    </NavLink>
  );
}

function initials(name: string): string {
  const parts = name.trim().split(/\s+/);
  return ((parts[0]?.[0] ?? '') + (parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? '') : '')).toUpperCase() || '?';
}

export function useLogOut() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  return async () => {
    try {
      await api.del('/api/v1/session');
    } catch (error) {
      toast.error(errorDetail(error));
      return;
    }
    queryClient.clear();
    queryClient.setQueryData(ME_KEY, null);
    navigate('/login', { replace: true });
  };
}

function AccountSwitcher() {
  const { me, account, switchAccount } = useSession();
  const toast = useToast();
  if (!account) return null;
  const label = (
    <span className="switcher-label">
      <span className="switcher-name" data-testid="current-account">
        {account.Name}
      </span>
      <span className={`kind-tag kind-${account.Kind.toLowerCase()}`}>{humanize(account.Kind)}</span>
    </span>
  );
  if (me.Accounts.length < 2) {
    return (
      <div className="switcher switcher-static" data-testid="account-switcher">
        {label}
      </div>
    );
  }
  return (
    <Menu
      label={label}
      ariaLabel={`Account: ${account.Name} (${humanize(account.Kind)}). Switch account`}
      buttonClassName="switcher"
      testId="account-switcher"
      header="Switch account"
      items={me.Accounts.map((a) => ({
        label: a.Name,
        description: `${humanize(a.Kind)} · ${humanize(a.Role)} · ${a.Currency}`,
        checked: a.Id === account.Id,
        testId: `account-option-${a.Id}`,
        onSelect: () => {
          if (a.Id === account.Id) return;
          switchAccount(a.Id);
          toast.info(`You are now working in ${a.Name}.`);
        },
      }))}
    />
  );
}

function UserMenu() {
  const { me } = useSession();
  const logOut = useLogOut();
  const [open, setOpen] = useState<'profile' | 'password' | null>(null);
  return (
    <>
    <Menu
      label={
        <span className="user-button-inner">
          <span className="avatar" aria-hidden="true">
            {initials(me.User.Name)}
          </span>
          <span className="user-name">{me.User.Name}</span>
        </span>
      }
      ariaLabel={`User menu for ${me.User.Name}`}
      buttonClassName="user-button"
      testId="user-menu"
      header={
        <div className="user-card">
          <div className="user-card-name">{me.User.Name}</div>
          <div className="user-card-email">{me.User.Email}</div>
          {me.User.IsOperator ? <div className="user-card-role">Operator</div> : null}
        </div>
      }
      items={[
        { label: 'Profile', testId: 'profile', onSelect: () => setOpen('profile') },
        { label: 'Change password', testId: 'change-password', onSelect: () => setOpen('password') },
        { label: 'Log out', testId: 'log-out', onSelect: () => void logOut() },
      ]}
    />
    {open === 'profile' ? <ProfileDialog onClose={() => setOpen(null)} /> : null}
    {open === 'password' ? <PasswordDialog onClose={() => setOpen(null)} /> : null}
    </>
  );
}

/**
 * Below 960 px the main navigation folds into a Menu button; the panel closes on a
 * navigation or a link chosen in it, on Escape (focus back on the button) and on a click outside.
 */
function useFoldedNav() {
  const [open, setOpen] = useState(false);
  const location = useLocation();
  const buttonRef = useRef<HTMLButtonElement>(null);
  const navRef = useRef<HTMLElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a change of page closes the panel
  useEffect(() => setOpen(false), [location.pathname]);
  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      setOpen(false);
      buttonRef.current?.focus();
    };
    const onPointer = (event: PointerEvent) => {
      const target = event.target as Node;
      if (!navRef.current?.contains(target) && !buttonRef.current?.contains(target)) setOpen(false);
    };
    // A link chosen in the panel closes it, also the current page's link.
    const onClick = (event: MouseEvent) => {
      if (navRef.current?.contains(event.target as Node) && (event.target as HTMLElement).closest('a')) setOpen(false);
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('pointerdown', onPointer);
    document.addEventListener('click', onClick);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('pointerdown', onPointer);
      document.removeEventListener('click', onClick);
    };
  }, [open]);
  return { open, setOpen, buttonRef, navRef };
}

export function AppShell() {
  const { isOperator, account } = useSession();
  const nav = useFoldedNav();
  return (
    <div className="app">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar-inner">
          <button
            ref={nav.buttonRef}
            type="button"
            className="nav-toggle"
            aria-expanded={nav.open}
            aria-controls="main-nav"
            data-testid="nav-toggle"
            onClick={() => nav.setOpen(!nav.open)}
          >
            <svg width="18" height="18" viewBox="0 0 20 20" aria-hidden="true">
              <path d={nav.open ? 'M5 5l10 10M15 5L5 15' : 'M3 5h14M3 10h14M3 15h14'} stroke="currentColor" strokeWidth="2" strokeLinecap="round" fill="none" />
            </svg>
            <span>Menu</span>
          </button>
          <Logo />
          <nav ref={nav.navRef} id="main-nav" className={nav.open ? 'topnav topnav-open' : 'topnav'} aria-label="Main">
            {isOperator ? (
              <>
                <NavLink to="/operator/accounts" className="topnav-link">
                  Accounts
                </NavLink>
                <NavLink to="/operator/actions" className="topnav-link">
                  Actions
                </NavLink>
                <NavLink to="/operator/work-items" className="topnav-link">
                  Work items
                </NavLink>
                <NavLink to="/operator/statements" className="topnav-link">
                  Statements
                </NavLink>
                <NavLink to="/operator/payout-runs" className="topnav-link">
                  Payout runs
                </NavLink>
                <NavLink to="/operator/tickets" className="topnav-link">
                  Tickets
                </NavLink>
              </>
            ) : account ? (
              // A section shows for the accounts that have a page of it (Finance: brands' Statements).
              sections.filter((section) => section.flat || section.index || visiblePages(section, account).length > 0).map((section) => (
                <NavLink key={section.id} to={`/${section.path}`} className="topnav-link">
                  {section.label}
                </NavLink>
              ))
            ) : null}
          </nav>
          <div className="topbar-right">
            {isOperator ? <span className="kind-tag kind-operator">Operator console</span> : <AccountSwitcher />}
            <UserMenu />
          </div>
        </div>
      </header>
      <main className="main" id="main" tabIndex={-1}>
        <PendingInvitations />
        <Outlet />
      </main>
    </div>
  );
}
