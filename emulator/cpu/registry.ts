// Handlers keyed by form identifier. Families register at module load (see exec/index.ts):
//
//   def('Add_rm64_r64', addRm64R64)            one handler for the register and memory forms
//   def('Add_rm64_r64', regForm, memForm)      specialized by ModRM.mod (rm register / memory)
//   def('Jne_rel32', jcc, 5)                   with a per-form constant, read as op.arg
//
// The CPU resolves a form's handler once, when it caches the decoded instruction.

import type { Handler } from './op';

interface Entry {
  reg: Handler;
  mem: Handler;
  arg: number;
}

const byId = new Map<string, Entry>();

/** Registers the handler(s) of form `id`; `arg` is copied to op.arg. A later def replaces. */
export function def(id: string, handler: Handler, mem?: Handler | number, arg = 0): void {
  if (typeof mem === 'number') {
    arg = mem;
    mem = undefined;
  }
  byId.set(id, { reg: handler, mem: mem ?? handler, arg });
}

/** The registration of form `id`, or undefined. */
export function lookup(id: string): Entry | undefined {
  return byId.get(id);
}

/** All registered identifiers (for tests: each must name a form of the table). */
export function registeredIds(): string[] {
  return [...byId.keys()];
}
