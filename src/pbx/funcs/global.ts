/** GLOBAL(varname) (func_globals.c): reads or writes a global variable. */
import { stripInheritPrefix } from '../../channels/channel.js';
import { FunctionError, type DialplanFunction } from '../types.js';

export const GLOBAL: DialplanFunction = {
  name: 'GLOBAL',
  synopsis: 'Gets or sets the global variable specified.',
  syntax: 'GLOBAL(varname)',
  description: 'Reads or sets a global variable (Set(GLOBAL(name)=value)), whatever channel variables exist with the same name.',
  read: (call) => call.services.globals.get(call.args) ?? '',
  write: (call, value) => {
    if (call.args === '') throw new FunctionError('GLOBAL requires a variable name');
    // pbx_builtin_setvar_helper on globals: other prefixed forms of the name are replaced.
    const bare = stripInheritPrefix(call.args);
    for (const name of [...call.services.globals.keys()]) {
      if (stripInheritPrefix(name) === bare) call.services.globals.delete(name);
    }
    call.services.globals.set(call.args, value);
    call.services.verbose(2, `Setting global variable '${call.args}' to '${value}'`);
  },
};
