import { describe, expect, it } from 'vitest';
import { FORM_ID } from '../../isa/table';
import { registeredIds } from './registry';
import './cpu';

describe('handler registry', () => {
  it('registers only identifiers of the table', () => {
    expect(registeredIds().filter((id) => !(id in FORM_ID))).toEqual([]);
  });
});
