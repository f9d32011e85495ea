import { Navigate, NavLink, Outlet, useLocation } from 'react-router';
import { useAccount } from '../api/session';
import { Notice } from '../components/Feedback';
import { usePageTitle } from '../lib/pageTitle';
import { pageAllowedForKind, visiblePages, type PageDef, type SectionDef } from '../navigation';

/** A section's tabs (one per page the account has) above the page. */
export function SectionLayout({ section }: { section: SectionDef }) {
  const account = useAccount();
  const pages = visiblePages(section, account);
  const location = useLocation();
  const atRoot = location.pathname.replace(/\/$/, '') === `/${section.path}`;
  const showTabs = !section.flat && pages.length > 0 && !(atRoot && section.index);
  return (
    <div className="section">
      {showTabs ? (
        <nav className="tabs" aria-label={`${section.label} pages`}>
          {pages.map((page) => (
            <NavLink key={page.path} to={`/${section.path}/${page.path}`} className="tab">
              {page.label}
            </NavLink>
          ))}
        </nav>
      ) : null}
      <Outlet />
    </div>
  );
}

/** The root of a section: its own index (hub) page, or its first page when the hub would list only one. */
export function SectionIndex({ section }: { section: SectionDef }) {
  const account = useAccount();
  const pages = visiblePages(section, account);
  usePageTitle(section.label, account.Name);
  // A hub page that would hold a single card goes straight to that page.
  if (section.index && (section.flat || pages.length !== 1)) return <>{section.index}</>;
  const first = pages[0];
  return first ? <Navigate to={`/${section.path}/${first.path}`} replace /> : <Navigate to="/home" replace />;
}

/** A page the current account does not have sends the user home (e.g. after switching accounts). */
export function PageGuard({ page }: { page: PageDef }) {
  const account = useAccount();
  usePageTitle(page.label, account.Name);
  if (!pageAllowedForKind(page, account)) return <Navigate to="/home" replace />;
  if (page.adminOnly && account.Role !== 'ADMIN') {
    return (
      <div className="page">
        <h1 className="page-title-plain">{page.label}</h1>
        <Notice kind="warning">
          Only admins of {account.Name} can use {page.label}. Ask an admin of the account for access.
        </Notice>
      </div>
    );
  }
  return <>{page.element}</>;
}
