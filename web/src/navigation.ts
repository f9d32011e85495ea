/** Navigation model types and helpers (see sections.tsx for the sections themselves). */
import type { ReactNode } from 'react';
import type { AccountKind } from '@contract/enums';
import type { MeAccount } from '@contract/session';

export interface PageDef {
  /** Path relative to the section, e.g. 'contract-history' or 'programs/:programId'. */
  path: string;
  label: string;
  element: ReactNode;
  /** Account kinds that have this page; both when omitted. */
  kinds?: AccountKind[];
  /** Only account admins may use the page; others see an explanation. */
  adminOnly?: boolean;
  /** A route without a tab (detail pages). */
  hidden?: boolean;
  /** One line for index pages that list the section's pages. */
  description?: string;
}

export interface SectionDef {
  id: string;
  path: string;
  label: string;
  pages: PageDef[];
  /** What the section's root shows; default: its first visible page. */
  index?: ReactNode;
  /** The root is a page of its own (Home): no tabs. */
  flat?: boolean;
}

export function pageAllowedForKind(page: PageDef, account: MeAccount): boolean {
  return !page.kinds || page.kinds.includes(account.Kind);
}

/** Pages of a section the account has, in tab order. */
export function visiblePages(section: SectionDef, account: MeAccount): PageDef[] {
  return section.pages.filter((p) => !p.hidden && pageAllowedForKind(p, account) && (!p.adminOnly || account.Role === 'ADMIN'));
}
