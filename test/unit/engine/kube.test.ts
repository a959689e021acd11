import { describe, expect, it } from 'vitest';
import { classifyHttp, escapePointer, KubeClient } from '../../../src/engine/kube.ts';

describe('kube client helpers', () => {
  it('classifies API-server statuses: 409 and a failed JSON-patch test are Conflict', () => {
    const status = (message: string) => JSON.stringify({ kind: 'Status', message });
    expect(classifyHttp(409, status('the object has been modified'), 'PATCH x').errorClass).toBe('Conflict');
    expect(
      classifyHttp(
        422,
        status('the server rejected our request due to an error in our request: testOp'),
        'PATCH x',
      ).errorClass,
    ).toBe('Conflict');
    // Servers that name the failed op in the causes (1.32 and the emulator send none: the case above).
    const rejected = (cause: string) =>
      JSON.stringify({
        kind: 'Status',
        status: 'Failure',
        message: 'the server rejected our request due to an error in our request',
        reason: 'Invalid',
        details: { causes: [{ reason: 'UnexpectedServerResponse', message: cause }] },
        code: 422,
      });
    expect(
      classifyHttp(422, rejected('testing value /metadata/resourceVersion failed: test failed'), 'PATCH x')
        .errorClass,
    ).toBe('Conflict');
    expect(classifyHttp(422, rejected('Test operation failed'), 'PATCH x').errorClass).toBe('Conflict');
    expect(classifyHttp(422, rejected('add operation does not apply'), 'PATCH x')).toMatchObject({
      errorClass: 'InvalidSpec',
      message: expect.stringContaining('add operation does not apply'),
    });
    expect(classifyHttp(422, status('spec.alias: Invalid value'), 'PATCH x')).toMatchObject({
      errorClass: 'InvalidSpec',
      message: 'PATCH x: spec.alias: Invalid value',
    });
    expect(classifyHttp(404, '', 'GET x').errorClass).toBe('NotFound');
    expect(classifyHttp(403, status('forbidden'), 'GET x').errorClass).toBe('AccessDenied');
    expect(classifyHttp(429, '', 'GET x').errorClass).toBe('Throttled');
    expect(classifyHttp(503, '', 'GET x').errorClass).toBe('Transient');
  });

  it('escapes annotation keys for JSON-patch paths and builds resource paths', () => {
    expect(escapePointer('incidentmanager.gitops.dev/external-arn')).toBe(
      'incidentmanager.gitops.dev~1external-arn',
    );
    const t = {
      group: 'incidentmanager.gitops.dev',
      version: 'v1alpha1',
      plural: 'contacts',
      namespaced: true,
    };
    expect(KubeClient.objectPath(t, 'alice', 'oncall')).toBe(
      '/apis/incidentmanager.gitops.dev/v1alpha1/namespaces/oncall/contacts/alice',
    );
    expect(
      KubeClient.collectionPath({ group: '', version: 'v1', plural: 'events', namespaced: true }, 'x'),
    ).toBe('/api/v1/namespaces/x/events');
  });
});
