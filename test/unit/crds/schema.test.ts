import { describe, expect, it } from 'vitest';
import { checkDocument, formatProblem, parseManifestText } from '../../../src/crds/manifests.ts';
import {
  ACTIVATION_STATUS_FROM_AWS,
  ACTIVATION_STATUS_TO_AWS,
  API_VERSION,
  CHANNEL_TYPE_FROM_AWS,
  CHANNEL_TYPE_TO_AWS,
  CHANNEL_TYPES,
  CONTACT_TYPE_FROM_AWS,
  CONTACT_TYPE_TO_AWS,
  CONTACT_TYPES,
  checkObject,
  DAY_OF_WEEK_FROM_AWS,
  DAY_OF_WEEK_TO_AWS,
  DAYS_OF_WEEK,
  DYNAMIC_PARAMETER_FROM_AWS,
  DYNAMIC_PARAMETER_TO_AWS,
  DYNAMIC_PARAMETER_VALUES,
  EXTERNAL_ARN_ANNOTATION,
  FINALIZER,
  formatTimeOfDay,
  parseTimeOfDay,
  REPLICATION_SET_STATUS_FROM_AWS,
  REPLICATION_SET_STATUS_TO_AWS,
  REPLICATION_SET_STATUSES,
  TARGET_ACCOUNT_FROM_AWS,
  TARGET_ACCOUNT_TO_AWS,
  TARGET_ACCOUNTS,
} from '../../../src/crds/registry.ts';

const contact = (spec: Record<string, unknown>) => ({
  apiVersion: API_VERSION,
  kind: 'Contact',
  metadata: { name: 'x' },
  spec: { alias: 'x', type: 'OnCallSchedule', rotations: [{ rotationRef: { name: 'r' } }], ...spec },
});

describe('enum maps between Kubernetes and AWS spellings', () => {
  it.each([
    ['contact type', CONTACT_TYPES, CONTACT_TYPE_TO_AWS, CONTACT_TYPE_FROM_AWS],
    ['channel type', CHANNEL_TYPES, CHANNEL_TYPE_TO_AWS, CHANNEL_TYPE_FROM_AWS],
    [
      'activation status',
      ['Activated', 'NotActivated'],
      ACTIVATION_STATUS_TO_AWS,
      ACTIVATION_STATUS_FROM_AWS,
    ],
    ['day of week', DAYS_OF_WEEK, DAY_OF_WEEK_TO_AWS, DAY_OF_WEEK_FROM_AWS],
    ['target account', TARGET_ACCOUNTS, TARGET_ACCOUNT_TO_AWS, TARGET_ACCOUNT_FROM_AWS],
    ['dynamic parameter', DYNAMIC_PARAMETER_VALUES, DYNAMIC_PARAMETER_TO_AWS, DYNAMIC_PARAMETER_FROM_AWS],
    [
      'replication set status',
      REPLICATION_SET_STATUSES,
      REPLICATION_SET_STATUS_TO_AWS,
      REPLICATION_SET_STATUS_FROM_AWS,
    ],
  ] as const)(
    '%s: every Kubernetes value maps to an upper-case AWS value and back',
    (_n, values, to, from) => {
      const toAws = to as Record<string, string>;
      const fromAws = from as Record<string, string>;
      expect(Object.keys(toAws).sort()).toEqual([...values].sort());
      for (const v of values) {
        expect(toAws[v]).toMatch(/^[A-Z_]+$/);
        expect(fromAws[toAws[v]!]).toBe(v);
      }
    },
  );

  it('spells enums in PascalCase with acronyms upper-case', () => {
    expect(CHANNEL_TYPE_TO_AWS).toEqual({ SMS: 'SMS', Voice: 'VOICE', Email: 'EMAIL' });
    expect(CONTACT_TYPE_TO_AWS.OnCallSchedule).toBe('ONCALL_SCHEDULE');
    expect(DYNAMIC_PARAMETER_TO_AWS.IncidentRecordARN).toBe('INCIDENT_RECORD_ARN');
  });
});

describe('hand-off times', () => {
  it('convert between HH:MM and the ssm-contacts HandOffTime shape', () => {
    expect(parseTimeOfDay('07:05')).toEqual({ hourOfDay: 7, minuteOfHour: 5 });
    expect(formatTimeOfDay({ hourOfDay: 23, minuteOfHour: 59 })).toBe('23:59');
    expect(() => parseTimeOfDay('24:00')).toThrow(/HH:MM/);
  });
});

describe('checkObject', () => {
  it('names the identity annotation and finalizer under the API group', () => {
    expect(EXTERNAL_ARN_ANNOTATION).toBe('incidentmanager.gitops.dev/external-arn');
    expect(FINALIZER).toBe('incidentmanager.gitops.dev/finalizer');
  });

  it('checks tag key characters per service, which the CRD cannot express', () => {
    expect(checkObject(contact({ tags: { 'cost/center': 'a' } }))).toEqual([]);
    expect(checkObject(contact({ tags: { 'team name': 'a' } }))).toEqual([
      { path: 'spec.tags.team name', rule: 'keyPattern', message: expect.stringContaining('key must match') },
    ]);
  });

  it('reports unknown fields (the API server would drop or refuse them)', () => {
    expect(checkObject(contact({ alais: 'typo' }))).toEqual([
      { path: 'spec.alais', rule: 'unknownField', message: 'unknown field' },
    ]);
  });

  it('rejects objects of other versions or kinds with a clear message', () => {
    expect(checkObject({ ...contact({}), apiVersion: 'incidentmanager.gitops.dev/v1' })[0]?.path).toBe(
      'apiVersion',
    );
    expect(checkObject({ ...contact({}), kind: 'Incident' })[0]?.message).toContain('ReplicationSet');
  });
});

describe('manifest parsing', () => {
  it('reports YAML syntax errors with the file and document number', () => {
    const { docs, problems } = parseManifestText('broken.yaml', 'kind: Contact\n---\nspec: [unclosed\n');
    expect(docs).toHaveLength(1);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: 'broken.yaml', object: 'document 2', rule: 'yaml' });
  });

  it('checks only objects of this API group and labels them Kind/name', () => {
    const { docs } = parseManifestText(
      'mixed.yaml',
      'apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n---\napiVersion: incidentmanager.gitops.dev/v1alpha1\nkind: Contact\nmetadata: {name: c}\nspec: {alias: c, type: Personal, displayName: 7}\n',
    );
    expect(docs.map((d) => checkDocument(d).map(formatProblem))).toEqual([
      [],
      ['mixed.yaml: Contact/c: spec.displayName: must be string [type]'],
    ]);
  });
});
