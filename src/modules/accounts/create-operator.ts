import type { ServiceContext } from '../../core/context.js';
import { conflict } from '../../core/errors.js';
import { hashPassword } from '../../core/crypto.js';
import { findUserByEmail } from './queries.js';
import { checkPasswordOrThrow, normalizeEmailOrThrow } from './validation.js';

/** Operators are platform staff: created from the CLI or the seed, never through an account. */
export async function createOperator(
  ctx: ServiceContext,
  input: { email: string; name: string; password: string },
): Promise<{ userId: number }> {
  const email = normalizeEmailOrThrow(input.email);
  checkPasswordOrThrow(input.password);
  const passwordHash = await hashPassword(input.password);
  return ctx.db.transaction(async (tx) => {
    if (await findUserByEmail(tx, email)) throw conflict(`A user with the e-mail ${email} already exists.`);
    const { rows } = await tx.query<{ id: number }>(
      `insert into users (email, name, password_hash, is_operator, created_at) values ($1, $2, $3, true, $4) returning id`,
      [email, input.name, passwordHash, ctx.clock.now()],
    );
    return { userId: rows[0]!.id };
  });
}
