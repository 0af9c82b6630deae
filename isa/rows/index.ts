// Every family file of the instruction table, in the order the table is built (isa/README.md).

import { ROWS as datamov } from './datamov';
import { ROWS as arith } from './arith';
import { ROWS as shift } from './shift';
import { ROWS as bit } from './bit';
import { ROWS as control } from './control';
import { ROWS as string } from './string';
import { ROWS as flagctl } from './flagctl';
import { ROWS as segment } from './segment';
import { ROWS as misc } from './misc';
import { ROWS as system } from './system';

export const ROW_SOURCES: { family: string; text: string }[] = [
  { family: 'datamov', text: datamov },
  { family: 'arith', text: arith },
  { family: 'shift', text: shift },
  { family: 'bit', text: bit },
  { family: 'control', text: control },
  { family: 'string', text: string },
  { family: 'flagctl', text: flagctl },
  { family: 'segment', text: segment },
  { family: 'misc', text: misc },
  { family: 'system', text: system },
];
