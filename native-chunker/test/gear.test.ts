import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GEAR_V1 } from '../src/gear.ts';
import { addon } from '../src/native.ts';
import { deriveGear } from '../scripts/gen-gear.ts';

describe('gear table', () => {
  it('TypeScript constant equals the table derived from the documented seed', () => {
    expect(GEAR_V1).toHaveLength(256);
    expect([...GEAR_V1]).toEqual(deriveGear());
  });
  it('C++ constant (cc/gear.h) equals the TypeScript constant', () => {
    const src = readFileSync(new URL('../cc/gear.h', import.meta.url), 'utf8');
    const body = src.slice(src.indexOf('{', src.indexOf('kGearV1')), src.indexOf('};'));
    const values = [...body.matchAll(/0x([0-9a-f]{8})u/g)].map((m) => parseInt(m[1]!, 16));
    expect(values).toEqual([...GEAR_V1]);
  });
  it.skipIf(!addon)('the compiled addon carries the same table', () => {
    expect([...addon!.gear()]).toEqual([...GEAR_V1]);
  });
});
