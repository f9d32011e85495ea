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
}

/** Platform staff. Operators never act as an account; they use their own routes. */
export interface OperatorActor {
  type: 'operator';
  userId: number;
}

export type Actor = AccountActor | OperatorActor;

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
