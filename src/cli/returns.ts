/**
 * `lockstep returns …`: returns files (issue 13). The group is made here; each subcommand
 * lives in its own file and is added by one line below (returns-template.ts; the import
 * command is the batch engine's).
 */
import type { Command } from 'commander';
import { addReturnsImportCommand } from './returns-import.js';
import { addReturnsTemplateCommand } from './returns-template.js';

export function registerReturnsCommands(program: Command): Command {
  const returns = program.command('returns').description('returns files: batch modifications and reversals of actions (templates, import)');
  addReturnsTemplateCommand(returns);
  addReturnsImportCommand(returns);
  return returns;
}
