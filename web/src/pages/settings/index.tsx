import type { PageDef } from '../../navigation';
import { EventTypeDetailPage, EventTypesPage } from '../brand/EventTypesPage';
import { ProgramDetailPage } from '../brand/ProgramDetailPage';
import { ProgramsPage } from '../brand/ProgramsPage';
import { TermsEditorPage } from '../brand/TermsEditorPage';
import { AccountPage } from './AccountPage';
import { CloseAccountPage } from './closure/CloseAccountPage';
import { CredentialsPage } from './CredentialsPage';
import { UsersPage } from './UsersPage';
import { WebhooksPage } from './webhooks/WebhooksPage';
import { WithdrawalSettingsPage } from '../partner/WithdrawalSettingsPage';

export const settingsPages: PageDef[] = [
  { path: 'account', label: 'Account', element: <AccountPage /> },
  { path: 'account/close', label: 'Close accounts', element: <CloseAccountPage />, kinds: ['PARTNER'], hidden: true },
  { path: 'users', label: 'Users', element: <UsersPage /> },
  { path: 'credentials', label: 'API credentials', element: <CredentialsPage />, adminOnly: true },
  { path: 'webhooks', label: 'Webhooks', element: <WebhooksPage />, adminOnly: true, description: 'Signed HTTP calls to your systems on every change.' },
  { path: 'withdrawal-settings', label: 'Withdrawal settings', element: <WithdrawalSettingsPage />, kinds: ['PARTNER'] },
  { path: 'programs', label: 'Programs', element: <ProgramsPage />, kinds: ['BRAND'] },
  { path: 'programs/:programId', label: 'Program', element: <ProgramDetailPage />, kinds: ['BRAND'], hidden: true },
  { path: 'programs/:programId/terms/new', label: 'Publish terms', element: <TermsEditorPage />, kinds: ['BRAND'], hidden: true },
  {
    path: 'event-types',
    label: 'Event types',
    element: <EventTypesPage />,
    kinds: ['BRAND'],
    description: 'Tracking: the event types of your programs and their Returns Processing.',
  },
  { path: 'event-types/:eventTypeId', label: 'Event type', element: <EventTypeDetailPage />, kinds: ['BRAND'], hidden: true },
];
