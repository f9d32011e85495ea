import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { BrowserRouter, Navigate, Outlet, Route, Routes, useLocation } from 'react-router';
import { ApiError } from './api/client';
import { ME_KEY, SessionProvider, useMeQuery, useSession } from './api/session';
import { Loading, QueryError } from './components/Feedback';
import { ToastProvider } from './components/Toast';
import { AppShell } from './layout/AppShell';
import { PageGuard, SectionIndex, SectionLayout } from './layout/SectionLayout';
import { AcceptInvitationPage } from './pages/auth/AcceptInvitationPage';
import { LoginPage } from './pages/auth/LoginPage';
import { NoAccountPage, NotFoundPage } from './pages/auth/NoAccountPage';
import { OperatorAccountsPage } from './pages/operator/OperatorAccountsPage';
import { OperatorActionsPage } from './pages/operator/OperatorActionsPage';
import { OperatorStatementDetailPage, OperatorStatementsPage } from './pages/operator/OperatorStatementsPage';
import { OperatorWorkItemsPage } from './pages/operator/OperatorWorkItemsPage';
import { OperatorPayoutRunDetailPage, OperatorPayoutRunsPage } from './pages/operator/OperatorPayoutRunsPage';
import { OperatorTicketDetailPage, OperatorTicketsPage } from './pages/operator/OperatorTicketsPage';
import { sections } from './sections';
import { Titled } from './lib/pageTitle';

function isUnauthorized(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401;
}

const queryClient: QueryClient = new QueryClient({
  // A 401 anywhere means the session ended (logged out elsewhere, expired, removed):
  // forget the user, which sends them to the login page.
  queryCache: new QueryCache({
    onError: (error, query) => {
      if (isUnauthorized(error) && query.queryKey[0] !== ME_KEY[0]) queryClient.setQueryData(ME_KEY, null);
    },
  }),
  mutationCache: new MutationCache({
    onError: (error) => {
      if (isUnauthorized(error)) queryClient.setQueryData(ME_KEY, null);
    },
  }),
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      refetchOnWindowFocus: false,
      retry: (count, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
    },
    mutations: { retry: false },
  },
});

/** Everything behind the login: loads the user, or sends them to /login?next=… */
function Authenticated() {
  const me = useMeQuery();
  const location = useLocation();
  if (me.isPending) return <Loading label="Loading Lockstep…" />;
  if (me.isError) return <div className="page"><QueryError error={me.error} onRetry={() => void me.refetch()} /></div>;
  if (!me.data) {
    const next = location.pathname + location.search;
    return <Navigate to={next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return (
    <SessionProvider me={me.data}>
      <AppShell />
    </SessionProvider>
  );
}

function HomeRedirect() {
  const { isOperator } = useSession();
  return <Navigate to={isOperator ? '/operator/accounts' : '/home'} replace />;
}

function OperatorOnly() {
  const { isOperator } = useSession();
  return isOperator ? <Outlet /> : <Navigate to="/home" replace />;
}

function AccountRequired() {
  const { isOperator, account } = useSession();
  if (isOperator) return <Navigate to="/operator/accounts" replace />;
  if (!account) return <NoAccountPage />;
  // Remount the pages when the account changes so no state of the other account lingers.
  return <Outlet key={account.Id} />;
}

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <ToastProvider>
        <BrowserRouter>
          <Routes>
            <Route path="/login" element={<Titled title="Log in"><LoginPage /></Titled>} />
            <Route path="/accept-invitation" element={<Titled title="Accept invitation"><AcceptInvitationPage /></Titled>} />
            <Route element={<Authenticated />}>
              <Route index element={<HomeRedirect />} />
              <Route path="operator" element={<OperatorOnly />}>
                <Route index element={<Navigate to="accounts" replace />} />
                <Route path="accounts" element={<Titled title="Accounts" context="Operator console"><OperatorAccountsPage /></Titled>} />
                <Route path="actions" element={<Titled title="Actions" context="Operator console"><OperatorActionsPage /></Titled>} />
                <Route path="work-items" element={<Titled title="Work items" context="Operator console"><OperatorWorkItemsPage /></Titled>} />
                <Route path="statements" element={<Titled title="Statements" context="Operator console"><OperatorStatementsPage /></Titled>} />
                <Route path="statements/:statementId" element={<Titled title="Statement" context="Operator console"><OperatorStatementDetailPage /></Titled>} />
                <Route path="payout-runs" element={<Titled title="Payout runs" context="Operator console"><OperatorPayoutRunsPage /></Titled>} />
                <Route path="payout-runs/:runId" element={<Titled title="Payout run" context="Operator console"><OperatorPayoutRunDetailPage /></Titled>} />
                <Route path="tickets" element={<Titled title="Tickets" context="Operator console"><OperatorTicketsPage /></Titled>} />
                <Route path="tickets/:ticketId" element={<Titled title="Ticket" context="Operator console"><OperatorTicketDetailPage /></Titled>} />
              </Route>
              <Route element={<AccountRequired />}>
                {sections.map((section) => (
                  <Route key={section.id} path={section.path} element={<SectionLayout section={section} />}>
                    <Route index element={<SectionIndex section={section} />} />
                    {section.pages.map((page) => (
                      <Route key={page.path} path={page.path} element={<PageGuard page={page} />} />
                    ))}
                  </Route>
                ))}
              </Route>
              <Route path="*" element={<Titled title="Page not found"><NotFoundPage /></Titled>} />
            </Route>
          </Routes>
        </BrowserRouter>
      </ToastProvider>
    </QueryClientProvider>
  );
}
