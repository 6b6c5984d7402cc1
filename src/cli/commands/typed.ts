import { Command as CommanderCommand, Option as CommanderOption } from 'commander';
import type { Command, Option } from '@commander-js/extra-typings';

/**
 * commander's own classes, typed by @commander-js/extra-typings (commander's typed layer over the
 * same classes): each option's type is inferred from its definition, so handlers never restate
 * them. Only the types are taken from that package; at run time the CLI loads commander alone.
 */

export function command(name: string): Command {
  // The same class at run time; extra-typings only gives it inferred types.
  return new CommanderCommand(name) as unknown as Command;
}

export function option<Usage extends string>(flags: Usage, description?: string): Option<Usage> {
  return new CommanderOption(flags, description);
}
