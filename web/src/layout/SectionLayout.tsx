import { Navigate, NavLink, Outlet, useLocation } from 'react-router';
import { useAccount } from '../api/session';
import { Notice } from '../components/Feedback';
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

/** The root of a section: its own index page, or its first page. */
export function SectionIndex({ section }: { section: SectionDef }) {
  const account = useAccount();
  if (section.index) return <>{section.index}</>;
  const first = visiblePages(section, account)[0];
  return first ? <Navigate to={`/${section.path}/${first.path}`} replace /> : <Navigate to="/home" replace />;
}

/** A page the current account does not have sends the user home (e.g. after switching accounts). */
export function PageGuard({ page }: { page: PageDef }) {
  const account = useAccount();
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
