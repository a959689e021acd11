// Model patterns run on RE2 (linear time): hostile values far past any backtracking budget get the
// right answer, and short values get the same answer as the ECMAScript RegExp the model assumes.
import { describe, expect, it } from 'vitest';
import { MODELS } from '../../../src/emulators/aws/model/generated.ts';
import { modelPattern } from '../../../src/emulators/aws/model/pattern.ts';
import { validateInput } from '../../../src/emulators/aws/model/validate.ts';

function modelPatterns(): string[] {
  const out = new Set<string>();
  for (const table of Object.values(MODELS))
    for (const shape of Object.values(table.shapes)) {
      if (shape.pattern) out.add(shape.pattern);
      for (const m of Object.values(shape.members ?? {})) if (m.pattern) out.add(m.pattern);
    }
  return [...out].sort();
}

const N = 50_000; // a backtracking engine needs 2^N steps on the nested-quantifier ARN
const long = (unit: string) => unit.repeat(Math.ceil(N / unit.length));

// For every model pattern: long values it must accept and long hostile values (a long run the
// pattern likes, then one character it cannot take) it must reject.
const HOSTILE: Record<string, { accept: string[]; reject: string[] }> = {
  '^arn:aws(-cn|-us-gov)?:[a-z0-9-]*:[a-z0-9-]*:([0-9]{12})?:.+$': {
    accept: [`arn:aws:ssm-incidents::111111111111:${long('a:')}`],
    reject: [`arn:aws:${long('a-')}\n`, `arn:aws:${long('-')}:${long('0')}#:x`],
  },
  '^(?!aws:)[A-Za-z0-9 _=@:.+-/]+$': {
    accept: [long('a:b ')],
    reject: [`${long('a:b ')}#`, `aws:${long('a')}`],
  },
  '^[A-Za-z0-9 _=@:.+-/]*$': { accept: [long('a:b ')], reject: [`${long('a:b ')}#`] },
  '^[a-zA-Z0-9-_]*$': { accept: [long('a-_')], reject: [`${long('a-_')}.`] },
  '^arn:aws(-cn|-us-gov)?:ssm-contacts:[a-z0-9-]*:([0-9]{12}):contact/[a-z0-9_-]+$': {
    accept: [`arn:aws:ssm-contacts:us-east-1:111111111111:contact/${long('a_-')}`],
    reject: [`arn:aws:ssm-contacts:us-east-1:111111111111:contact/${long('a_-')}A`],
  },
  '^[a-zA-Z0-9_\\-.:/]{3,128}$': { accept: ['a'.repeat(128)], reject: [long('a:/'), `${'a'.repeat(127)}#`] },
  '^arn:aws(-cn|-us-gov)?:iam::([0-9]{12})?:role/.+$': {
    accept: [`arn:aws:iam::111111111111:role/${long('r/')}`],
    reject: [`arn:aws:iam::${long('1')}:role/x`],
  },
  '^related-item/(ANALYSIS|INCIDENT|METRIC|PARENT|ATTACHMENT|OTHER|AUTOMATION|INVOLVED_RESOURCE|TASK)/([0-9]|[A-F]){32}$':
    { accept: [`related-item/TASK/${'A0'.repeat(16)}`], reject: [`related-item/TASK/${long('A0')}`] },
  // The pattern that took 16 s at 24 characters with a backtracking RegExp.
  '^arn:(aws|aws-cn|aws-us-gov):ssm-contacts:[-\\w+=\\/,.@]*:[0-9]+:([\\w+=\\/,.@:-]+)*$': {
    accept: [`arn:aws:ssm-contacts:us-east-1:111111111111:${long('contact/a:b')}`],
    reject: [
      `arn:aws:ssm-contacts:us-east-1:111111111111:${long('contact/a:b')}!`,
      `arn:aws:ssm-contacts:${long('a,')}#:1:x`,
    ],
  },
  '^[.\\s\\S]*$': { accept: [long('x\n\t é')], reject: [] },
  '^[0-9]*$': { accept: [long('0')], reject: [`${long('0')}a`] },
  '^[a-z0-9_\\-]*$': { accept: [long('a_-')], reject: [`${long('a_-')}A`] },
  '^[\\p{L}\\p{Z}\\p{N}_.\\-]*$': { accept: [long('Zoë 1._-')], reject: [`${long('Zoë 1._-')}!`] },
  '^[\\\\\\/a-zA-Z0-9_+=\\-]*$': { accept: [long('a\\/+=')], reject: [`${long('a\\/+=')} `] },
  '^[\\p{L}\\p{Z}\\p{N}_.:\\/=+\\-@]*$': { accept: [long('Zoë 1:/@')], reject: [`${long('Zoë 1:/@')}#`] },
  '^[a-zA-Z0-9_\\-\\s\\.]*$': { accept: [long('a b.')], reject: [`${long('a b.')}/`] },
  '^[:a-zA-Z0-9_\\-\\s\\.\\\\/]*$': {
    accept: [long('Europe/Paris ')],
    reject: [`${long('Europe/Paris ')}+`],
  },
  '^([a-fA-Z0-9]{8,11}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}){1}$': {
    accept: ['0123abcd-0123-abcd-0123-0123456789ab'],
    reject: [`${long('0')}-0123-abcd-0123-0123456789ab`],
  },
  '^[\\\\a-zA-Z0-9_@#%*+=:?.\\/!\\s-]*$': { accept: [long('a@#%! ')], reject: [`${long('a@#%! ')}$`] },
  '\\S': { accept: [`${long(' ')}x`], reject: [long(' \n\t')] },
  '^[\\w.-]*$': { accept: [long('a_.-')], reject: [`${long('a_.-')}/`] },
  // Secrets Manager
  '^\\!?[a-zA-Z0-9 :_@\\/\\+\\=\\.\\-\\!]*$': { accept: [`!${long('a/+=.-!')}`], reject: [`${long('a!')}#`] },
  '^([a-z]+-)+\\d+$': { accept: [`${long('eu-')}1`], reject: [long('eu-'), `${long('eu-')}1a`] },
  '^[a-zA-Z0-9\\-]+$': { accept: [long('a-0')], reject: [`${long('a-0')}_`] },
  '^[0-9]+h$': { accept: [`${long('4')}h`], reject: [`${long('4')}hh`] },
  '^[0-9A-Za-z\\(\\)#\\?\\*\\-\\/, ]+$': {
    accept: [long('cron(0 * ? * 1#2)')],
    reject: [`${long('cron(0 * ? *)')}$`],
  },
  // KMS
  '^[a-zA-Z0-9:/_-]+$': { accept: [long('alias/a_-')], reject: [`${long('alias/a')}.`] },
  '^cluster-[2-7a-zA-Z]{11,16}$': {
    accept: [`cluster-${'a2'.repeat(8)}`],
    reject: [`cluster-${long('a2')}`],
  },
  '^https://[a-zA-Z0-9.-]+$': { accept: [`https://${long('a.b-')}`], reject: [`https://${long('a.')}/`] },
  '^(/[a-zA-Z0-9\\/_-]+/kms/xks/v\\d{1,2})$|^(/kms/xks/v\\d{1,2})$': {
    accept: [`/${long('a/')}kms/xks/v1`, '/kms/xks/v12'],
    reject: [`/${long('a/')}kms/xks/v123`],
  },
  '^(com|eu)\\.amazonaws\\.vpce\\.([a-z]+-){2,3}\\d+\\.vpce-svc-[0-9a-z]+$': {
    accept: [`com.amazonaws.vpce.us-east-1.vpce-svc-${long('0a')}`],
    reject: [`com.amazonaws.vpce.${long('us-')}1.vpce-svc-0`],
  },
  '^[0-9]{12}$': { accept: ['111111111111'], reject: [long('1')] },
  '^[A-Z2-7]+$': { accept: [long('AZ27')], reject: [`${long('AZ27')}1`] },
  '^[a-zA-Z0-9\\/+=]+$': { accept: [long('aZ9/+=')], reject: [`${long('aZ9/+=')}-`] },
  '^[\\w+=,.@:/-]+$': { accept: [long('a_+=,.@:/-')], reject: [`${long('a_+=')}#`] },
  '^[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+$': {
    accept: [long('{"Version": "2012-10-17"}\n\t\r é')],
    reject: [`${long('{"a": 1}')}\u0001`, `${long('{"a": 1}')}€`],
  },
  '^[a-zA-Z0-9-_.]+$': { accept: [long('a-_.')], reject: [`${long('a-_.')}/`] },
  '^[a-f0-9]+$': { accept: [long('af09')], reject: [`${long('af09')}g`] },
  '^[\\u0020-\\u00FF]*$': { accept: [long('marker é')], reject: [`${long('marker')}\n`] },
  '^[\\w]+$': { accept: [long('a_1')], reject: [`${long('a_1')}-`] },
  '^[a-zA-Z0-9:/_\\s.-]+$': { accept: [long('a:/_ .-')], reject: [`${long('a:/_ .-')}#`] },
  '^([a-z]+-){2,3}\\d+$': { accept: ['us-gov-west-1'], reject: [`${long('us-')}1`] },
};

// Short values (backtracking is harmless here) that exercise each pattern's edges.
const SHORT = [
  '',
  'a',
  'A',
  '0',
  '#',
  ' ',
  '\t',
  '\n',
  'é',
  'Zoë',
  '日本',
  '😀',
  'aws:x',
  'x aws:',
  'a-b_c.d',
  'a/b\\c',
  'Europe/Paris',
  'arn:aws:ssm-contacts:us-east-1:111111111111:contact/alice',
  'arn:aws:ssm-contacts:us-east-1:111111111111:contact/Alice',
  'arn:aws:ssm-contacts:us-east-1:111111111111:rotation/abc-1',
  'arn:aws-cn:ssm-incidents::111111111111:response-plan/p',
  'arn:aws:iam::111111111111:role/r',
  'arn:aws:iam::1:role/r',
  'related-item/TASK/0123456789ABCDEF0123456789ABCDEF',
  '0123abcd-0123-abcd-0123-0123456789ab',
  '123456',
  'x!y',
];

// Unicode mode refuses identity escapes such as `\!` (Secrets Manager names), which Java and
// annex-B ECMAScript accept as the literal character.
function ecmaScript(p: string): RegExp {
  try {
    return new RegExp(p, 'u');
  } catch {
    return new RegExp(p);
  }
}

describe('model patterns (RE2, linear time)', () => {
  const patterns = modelPatterns();

  it('every model pattern compiles to a linear-time matcher and has hostile cases here', () => {
    expect(patterns.length).toBeGreaterThan(10);
    for (const p of patterns) expect(() => modelPattern(p), p).not.toThrow();
    expect(Object.keys(HOSTILE).sort()).toEqual(patterns);
  });

  it.each(patterns)('answers long hostile values correctly: %s', (p) => {
    const cases = HOSTILE[p];
    if (!cases) throw new Error(`no hostile cases for ${p}`);
    const m = modelPattern(p);
    for (const s of cases.accept) expect(m.test(s), `accepts ${s.slice(0, 60)}…`).toBe(true);
    for (const s of cases.reject) expect(m.test(s), `rejects ${s.slice(0, 60)}…`).toBe(false);
  });

  it.each(patterns)('agrees with the ECMAScript pattern on short values: %s', (p) => {
    const js = ecmaScript(p);
    const m = modelPattern(p);
    for (const base of SHORT)
      for (const s of [base, `${base}#`, `#${base}`, `${base}${base}`])
        expect(m.test(s), JSON.stringify(s)).toBe(js.test(s));
  });

  it('the validator reports a pattern violation on the hostile ssm-contacts ARN', () => {
    const contacts = MODELS['ssm-contacts'];
    if (!contacts) throw new Error('no ssm-contacts model');
    const arn = `arn:aws:ssm-contacts:us-east-1:111111111111:${'contact/a:'.repeat(200)}!`;
    const v = validateInput(contacts, 'GetContact', { ContactId: arn });
    expect(v.map((x) => `${x.path}:${x.rule}`)).toEqual(['ContactId:pattern']);
  });
});
