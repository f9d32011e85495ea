import { forbidden } from '../../core/errors.js';
import type { AccountKind, Role } from './types.js';

export type { AccountKind, Role } from './types.js';

/** A user acting for one account (through a login session or the account's API credentials). */
export interface AccountActor {
  type: 'account';
  userId: number;
  accountId: number;
  accountKind: AccountKind;
  accountTimeZone: string;
  role: Role;
  via: 'session' | 'token';
  /** With `via: 'token'`: the API credential (api_tokens.id) that made the request; histories name it as the actor. */
  credentialId?: number;
}

/** Platform staff. Operators never act as an account; they use their own routes. */
export interface OperatorActor {
  type: 'operator';
  userId: number;
}

export type Actor = AccountActor | OperatorActor;

/**
 * The API credential behind a change, or null when a person made it (in a session) or
 * the platform did: recorded beside the user, so that histories and audit rows show
 * "API: <label>" for what an integration did, not the person who created its token.
 */
export function credentialIdOf(actor: Actor | null | undefined): number | null {
  return actor?.type === 'account' && actor.via === 'token' && actor.credentialId !== undefined ? actor.credentialId : null;
}

/**
 * How histories name an API credential as the actor, in SQL over an `api_tokens` row
 * aliased `t`: "API: <label>", or "API: token …<last 4>" for one without a label.
 */
export const CREDENTIAL_ACTOR_NAME_SQL = `'API: ' || case when t.label <> '' then t.label else 'token …' || t.token_hint end`;

export function requireAccountActor(actor: Actor, kind?: AccountKind): AccountActor {
  if (actor.type !== 'account') {
    throw forbidden('This operation is done by a brand or partner account, not by an operator.');
  }
  if (kind && actor.accountKind !== kind) {
    throw forbidden(`Only a ${kind.toLowerCase()} account can do this; the current account is a ${actor.accountKind.toLowerCase()}.`);
  }
  return actor;
}

export function requireAccountAdmin(actor: Actor): AccountActor {
  const accountActor = requireAccountActor(actor);
  if (accountActor.role !== 'ADMIN') {
    throw forbidden('Only an account admin can do this; ask an admin of the account.');
  }
  return accountActor;
}

export function requireOperator(actor: Actor): OperatorActor {
  if (actor.type !== 'operator') throw forbidden('Only platform operators can do this.');
  return actor;
}
