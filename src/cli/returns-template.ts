/** `lockstep returns template --layout order|item|reset --format csv|xml`: prints a template file to stdout. */
import { InvalidArgumentError, type Command } from 'commander';
import { returnsTemplate } from '../modules/returns/parse/templates.js';
import { RETURNS_FORMATS, RETURNS_LAYOUTS, type ReturnsFormat, type ReturnsLayout } from '../modules/returns/types.js';

function choice<T extends string>(name: string, allowed: readonly T[], normalize: (value: string) => string) {
  return (value: string): T => {
    const found = allowed.find((each) => each === normalize(value));
    if (!found) throw new InvalidArgumentError(`${name} must be one of ${allowed.map((each) => each.toLowerCase()).join(', ')}.`);
    return found;
  };
}

export function addReturnsTemplateCommand(returns: Command): void {
  returns
    .command('template')
    .description('print a template returns file (order level, item level or reset; CSV or XML) to stdout')
    .option('--layout <layout>', 'order, item or reset', choice<ReturnsLayout>('--layout', RETURNS_LAYOUTS, (v) => v.toLowerCase()), 'order')
    .option('--format <format>', 'csv or xml', choice<ReturnsFormat>('--format', RETURNS_FORMATS, (v) => v.toUpperCase()), 'CSV')
    .action((options: { layout: ReturnsLayout; format: ReturnsFormat }) => {
      process.stdout.write(returnsTemplate(options.layout, options.format).body);
    });
}
