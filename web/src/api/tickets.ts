/**
 * Support tickets: an account's own (Help → Tickets) and the operators' queue. The same
 * routes serve both; an account user acts for its account (Lockstep-Account header), an
 * operator for none.
 */
import type { Ticket, TicketDetail } from '@contract/tickets';
import { accountApi, api, type QueryValue } from './client';

export type TicketsHttp = ReturnType<typeof accountApi> | typeof api;

export function ticketsHttp(accountId: number | null): TicketsHttp {
  return accountId === null ? api : accountApi(accountId);
}

export const ticketKeys = {
  all: (accountId: number | null) => ['tickets', accountId ?? 'operator'] as const,
  list: (accountId: number | null, query: Record<string, QueryValue>) => ['tickets', accountId ?? 'operator', 'list', query] as const,
  one: (accountId: number | null, id: string) => ['tickets', accountId ?? 'operator', 'one', id] as const,
};

export type { Ticket, TicketDetail };

/** A file as the API takes it: its name, type and bytes in base64. */
export async function attachmentOf(file: File): Promise<{ FileName: string; ContentType: string; ContentBase64: string }> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return { FileName: file.name, ContentType: file.type || 'application/octet-stream', ContentBase64: btoa(binary) };
}

/** Downloads an attachment with the caller's credentials (the account header a link cannot send). */
export async function downloadAttachment(accountId: number | null, ticketId: string, attachmentId: string, fileName: string): Promise<void> {
  const response = await fetch(`/api/v1/tickets/${ticketId}/attachments/${attachmentId}`, {
    credentials: 'same-origin',
    headers: accountId === null ? {} : { 'Lockstep-Account': String(accountId) },
  });
  if (!response.ok) throw new Error(`The attachment could not be downloaded (${response.status}).`);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
