import { type ReactNode, useEffect } from 'react';

export const PRODUCT_NAME = 'Lockstep';

/** "Pending Payouts · Acme Outdoor · Lockstep": the page, then where it is, then the product. */
export function pageTitle(...parts: Array<string | null | undefined>): string {
  return [...parts.filter((p): p is string => !!p), PRODUCT_NAME].join(' · ');
}

/** Sets the browser tab's title while the component is shown. */
export function usePageTitle(...parts: Array<string | null | undefined>): void {
  const title = pageTitle(...parts);
  useEffect(() => {
    document.title = title;
  }, [title]);
}

/** A route element that names its page (the operator console's routes, the login pages). */
export function Titled({ title, context, children }: { title: string; context?: string; children: ReactNode }) {
  usePageTitle(title, context);
  return <>{children}</>;
}
