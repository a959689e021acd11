// Rendering differences for people: references by name, secrets redacted, Event text bounded.
import { describe, expect, it } from 'vitest';
import type { FieldDiff } from '../../../src/engine/contract.ts';
import { describeChange, present, renderFieldDiff } from '../../../src/plan/format.ts';

const d = (path: string, desired: unknown, observed: unknown): FieldDiff => ({
  path,
  desired,
  observed,
  updatable: true,
});

describe('describeChange (the before/after of an Update Event)', () => {
  it('says each field as before → after, references by name', () => {
    const names = new Map([['arn:aws:ssm-contacts:eu-west-1:1:contact/bob', 'Contact default/bob']]);
    expect(
      describeChange(
        [
          d('spec.displayName', 'Alice Byrne', 'Alice'),
          d('spec.tags.team', 'payments', undefined),
          d('spec.rotations', ['arn:aws:ssm-contacts:eu-west-1:1:contact/bob'], []),
        ],
        { names },
      ),
    ).toBe(
      'spec.displayName: "Alice" → "Alice Byrne"; spec.tags.team: (none) → "payments"; spec.rotations: [] → ["Contact default/bob"]',
    );
  });

  it('never shows a secret, at any depth', () => {
    const text = describeChange([
      d('spec.channels[0]', { name: 'sms', code: { secret: 'ns/codes', fingerprint: 'abc123' } }, undefined),
    ]);
    expect(text).not.toContain('abc123');
    expect(text).toContain('(redacted)');
    expect(present({ activationCode: '123456', nested: [{ secretAccessKey: 'k' }] })).toEqual({
      activationCode: '(redacted)',
      nested: [{ secretAccessKey: '(redacted)' }],
    });
  });

  it('stays within its bound, clipping long values and naming the changes left out', () => {
    const many = Array.from({ length: 40 }, (_, i) => d(`spec.tags.key${i}`, 'x'.repeat(300), 'y'));
    const text = describeChange(many, { max: 400 });
    expect(text.length).toBeLessThanOrEqual(400);
    expect(text).toMatch(/and \d+ more \(spec\.tags\.key\d+/);
    expect(describeChange([d('spec.summary', 'z'.repeat(500), '')])).toContain('…');
  });
});

describe('renderFieldDiff', () => {
  it('puts scalars on one line and marks immutable fields', () => {
    expect(renderFieldDiff({ ...d('spec.alias', 'b', 'a'), updatable: false }, false)).toEqual([
      'spec.alias (immutable): "a" → "b"',
    ]);
  });

  it('renders structured values with json-diff, without colour unless asked', () => {
    const lines = renderFieldDiff(d('spec.engagements', ['a', 'b'], ['a']), false);
    expect(lines[0]).toBe('spec.engagements:');
    expect(lines.join('\n')).toContain('+  "b"');
    expect(lines.join('\n')).not.toContain('\u001b[');
    expect(renderFieldDiff(d('spec.engagements', ['a', 'b'], ['a']), true).join('\n')).toContain('\u001b[');
  });

  it('shows an added or removed block whole', () => {
    expect(renderFieldDiff(d('spec.runbook', undefined, { documentName: 'X' }), false)).toEqual([
      'spec.runbook:',
      '- {',
      '-   "documentName": "X"',
      '- }',
    ]);
  });
});
