import { describe, expect, it } from 'vitest';
import { parseLabelSelector } from '../../../src/engine/label-selector.ts';

describe('parseLabelSelector (kube-apiserver semantics)', () => {
  it.each([
    ['team=payments,env in (prod)', { team: 'payments', env: 'prod' }, true],
    ['team=payments,env in (prod)', { team: 'payments', env: 'dev' }, false],
    ['env notin (dev)', {}, true],
    ['!env', { env: '' }, false],
    ['env', { env: '' }, true],
    ['env=', { env: '' }, true],
    ['tier>2', { tier: '10' }, true],
    ['tier>2', { tier: 'x' }, false],
    ['tier<2', {}, false],
    ['', { any: 'thing' }, true],
  ])('%s on %j is %s', (sel, labels, want) => {
    expect(parseLabelSelector(sel)(labels)).toBe(want);
  });

  it('refuses a bad selector with the message kube-apiserver gives', () => {
    expect(() => parseLabelSelector('team in (a')).toThrow(
      "unable to parse requirement: found '', expected: ',' or ')'",
    );
    expect(() => parseLabelSelector('team=a b')).toThrow("found 'b', expected: ',' or 'end of string'");
    expect(() => parseLabelSelector('tier>-x')).toThrow(
      /^unable to parse requirement: \[values\[0\]: Invalid value: "-x": for 'Gt', 'Lt' operators, the value must be an integer, values\[0\]\[tier\]: Invalid value: "-x": a valid label/,
    );
  });
});
