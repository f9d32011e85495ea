import type { ServiceContext } from '../core/context.js';
import { requireAccountActor, type Actor } from '../modules/accounts/actor.js';
import { confirmPasswordOrThrow } from '../modules/accounts/confirm-password.js';
import { checkWithdrawalSettingsChangeOrThrow, saveWithdrawalSettingsInTx, type SavedWithdrawalSettings, type WithdrawalSettingsChange } from '../modules/payouts/withdrawal-settings.js';

/**
 * Changing where a partner's money goes (accounts and payouts): a change that names a
 * destination asks for the user's password again before anything is saved; a change of
 * the schedule alone does not. The settings are then saved in one transaction
 * (saveWithdrawalSettingsInTx: validation, encryption, the 48-hour hold).
 */
export async function changeWithdrawalSettings(
  ctx: ServiceContext,
  actor: Actor,
  change: WithdrawalSettingsChange & { password?: string },
): Promise<SavedWithdrawalSettings> {
  const { password, ...settings } = change;
  await checkWithdrawalSettingsChangeOrThrow(ctx.db, actor, settings);
  if (settings.destination) await confirmPasswordOrThrow(ctx, requireAccountActor(actor).userId, password);
  return ctx.db.transaction((tx) => saveWithdrawalSettingsInTx(tx, actor, settings, ctx.clock.now()));
}
