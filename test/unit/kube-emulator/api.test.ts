// API server semantics without HTTP: the KubeApi over an in-memory store.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { KubeApi } from '../../../src/emulators/kube/api.ts';
import type { Obj, ResourceInfo } from '../../../src/emulators/kube/registry.ts';
import { compileVersionSchema, validateCrd } from '../../../src/emulators/kube/schema/index.ts';
import { KubeError } from '../../../src/emulators/kube/status.ts';

const CONTACT_CRD = parse(
  readFileSync(join(import.meta.dirname, '../../../config/crd/contacts.yaml'), 'utf8'),
) as Obj;

let api: KubeApi;
let cms: ResourceInfo;
beforeEach(() => {
  api = new KubeApi({ schema: { compileVersionSchema, validateCrd } });
  api.bootstrap();
  cms = api.find('', 'v1', 'configmaps')!;
});

function statusOf(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    if (e instanceof KubeError) return e.status;
    throw e;
  }
  throw new Error('expected a KubeError');
}

const cm = (name: string, data: Record<string, string> = {}): Obj => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name },
  data,
});

describe('KubeApi', () => {
  it('assigns uid, creationTimestamp and strictly increasing resourceVersions', () => {
    const a = api.create(cms, 'default', cm('a')).object;
    const b = api.create(cms, 'default', cm('b')).object;
    expect(a.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.metadata?.creationTimestamp).toMatch(/Z$/);
    expect(Number(b.metadata?.resourceVersion)).toBeGreaterThan(Number(a.metadata?.resourceVersion));
  });

  it('words NotFound, AlreadyExists and Conflict as kube-apiserver', () => {
    expect(statusOf(() => api.get(cms, 'default', 'nope'))).toMatchObject({
      code: 404,
      reason: 'NotFound',
      message: 'configmaps "nope" not found',
    });
    const a = api.create(cms, 'default', cm('a')).object;
    expect(statusOf(() => api.create(cms, 'default', cm('a')))).toMatchObject({
      code: 409,
      reason: 'AlreadyExists',
      message: 'configmaps "a" already exists',
    });
    api.update(cms, 'default', 'a', { ...a, data: { x: '1' } }, undefined);
    expect(
      statusOf(() => api.update(cms, 'default', 'a', { ...a, data: { x: '2' } }, undefined)),
    ).toMatchObject({
      code: 409,
      reason: 'Conflict',
      message:
        'Operation cannot be fulfilled on configmaps "a": the object has been modified; please apply your changes to the latest version and try again',
    });
    expect(statusOf(() => api.create(cms, 'nowhere', cm('x')))).toMatchObject({
      message: 'namespaces "nowhere" not found',
    });
    expect(statusOf(() => api.create(cms, 'default', cm('Bad_Name')))).toMatchObject({
      code: 422,
      reason: 'Invalid',
    });
  });

  it('serves a created CRD at once, bumps generation on spec changes only and splits status', () => {
    const crds = api.find('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!;
    const crd = api.create(crds, undefined, CONTACT_CRD).object;
    expect((crd.status as { conditions: { type: string; status: string }[] }).conditions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'Established', status: 'True' }),
        expect.objectContaining({ type: 'NamesAccepted', status: 'True' }),
      ]),
    );
    const contacts = api.find('incidentmanager.gitops.dev', 'v1alpha1', 'contacts')!;
    expect(contacts.categories).toContain('incidentmanager');
    const body: Obj = {
      apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
      kind: 'Contact',
      metadata: { name: 'alice' },
      spec: { alias: 'alice', displayName: 'Alice', type: 'Personal' },
      status: { arn: 'dropped on create' },
    };
    const created = api.create(contacts, 'default', body).object;
    expect(created.metadata?.generation).toBe(1);
    expect(created.status).toBeUndefined();
    const labelled = api.patch(contacts, 'default', 'alice', undefined, 'merge', {
      metadata: { labels: { a: 'b' } },
      status: { arn: 'ignored on the main resource' },
    }).object;
    expect(labelled.metadata?.generation).toBe(1);
    expect(labelled.status).toBeUndefined();
    const status = api.patch(contacts, 'default', 'alice', 'status', 'merge', {
      spec: { displayName: 'ignored on status' },
      status: { arn: 'arn:aws:ssm-contacts:eu-west-1:111122223333:contact/alice' },
    }).object;
    expect((status.spec as { displayName: string }).displayName).toBe('Alice');
    expect(status.metadata?.generation).toBe(1);
    const changed = api.patch(contacts, 'default', 'alice', undefined, 'merge', {
      spec: { displayName: 'Alice B' },
    });
    expect(changed.object.metadata?.generation).toBe(2);
    expect((changed.object.status as { arn: string }).arn).toContain('contact/alice');
  });

  it('deleting a CRD deletes its objects (finalizers honoured) and then stops serving it', () => {
    const crds = api.find('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!;
    api.create(crds, undefined, CONTACT_CRD);
    const contacts = api.find('incidentmanager.gitops.dev', 'v1alpha1', 'contacts')!;
    api.create(contacts, 'default', {
      apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
      kind: 'Contact',
      metadata: { name: 'held', finalizers: ['incidentmanager.gitops.dev/cleanup'] },
      spec: { alias: 'held', displayName: 'Held', type: 'Personal' },
    });
    const name = CONTACT_CRD.metadata!.name!;
    api.delete(crds, undefined, name);
    expect(api.get(crds, undefined, name).metadata?.deletionTimestamp).toBeDefined();
    expect(api.get(contacts, 'default', 'held').metadata?.deletionTimestamp).toBeDefined();
    api.patch(contacts, 'default', 'held', undefined, 'merge', { metadata: { finalizers: null } });
    expect(() => api.get(crds, undefined, name)).toThrow(
      `customresourcedefinitions.apiextensions.k8s.io "${name}" not found`,
    );
    expect(api.find('incidentmanager.gitops.dev', 'v1alpha1', 'contacts')).toBeUndefined();
  });

  it('keeps an object with finalizers until the last one is removed', () => {
    api.create(cms, 'default', { ...cm('f'), metadata: { name: 'f', finalizers: ['a/b', 'c/d'] } });
    const marked = api.delete(cms, 'default', 'f');
    expect(marked.gone).toBe(false);
    expect(marked.object.metadata?.deletionTimestamp).toBeDefined();
    expect(
      statusOf(() =>
        api.patch(cms, 'default', 'f', undefined, 'merge', {
          metadata: { finalizers: ['a/b', 'c/d', 'e/f'] },
        }),
      ),
    ).toMatchObject({ code: 422 });
    api.patch(cms, 'default', 'f', undefined, 'merge', { metadata: { finalizers: ['c/d'] } });
    expect(api.get(cms, 'default', 'f').metadata?.finalizers).toEqual(['c/d']);
    api.patch(cms, 'default', 'f', undefined, 'json', [{ op: 'remove', path: '/metadata/finalizers' }]);
    expect(() => api.get(cms, 'default', 'f')).toThrow('configmaps "f" not found');
  });

  it('a JSON patch whose test fails is 422, a malformed one 400', () => {
    api.create(cms, 'default', cm('jp', { a: '1' }));
    expect(
      statusOf(() =>
        api.patch(cms, 'default', 'jp', undefined, 'json', [{ op: 'test', path: '/data/a', value: '2' }]),
      ),
    ).toMatchObject({
      code: 422,
      reason: 'Invalid',
      message: 'the server rejected our request due to an error in our request',
    });
    expect(
      statusOf(() =>
        api.patch(cms, 'default', 'jp', undefined, 'json', [{ op: 'frobnicate', path: '/data/a' }]),
      ),
    ).toMatchObject({ code: 400, reason: 'BadRequest' });
  });

  it('validates label keys and values as kube-apiserver words it', () => {
    const bad = {
      ...cm('labelled'),
      metadata: { name: 'labelled', labels: { 'team!': 'x', app: 'has space' } },
    };
    const st = statusOf(() => api.create(cms, 'default', bad));
    expect(st).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(st.message).toContain(
      'metadata.labels: Invalid value: "team!": name part must consist of alphanumeric characters',
    );
    expect(st.message).toContain(
      'metadata.labels: Invalid value: "has space": a valid label must be an empty string',
    );
    const long = { ...cm('long'), metadata: { name: 'long', labels: { app: 'x'.repeat(64) } } };
    expect(statusOf(() => api.create(cms, 'default', long)).message).toContain(
      'must be no more than 63 characters',
    );
    const ok = {
      ...cm('fine'),
      metadata: { name: 'fine', labels: { 'app.kubernetes.io/name': 'web', empty: '' } },
    };
    expect(api.create(cms, 'default', ok).object.metadata?.labels).toEqual({
      'app.kubernetes.io/name': 'web',
      empty: '',
    });
  });

  it('an immutable ConfigMap refuses data changes', () => {
    api.create(cms, 'default', { ...cm('frozen', { a: '1' }), immutable: true });
    const st = statusOf(() => api.patch(cms, 'default', 'frozen', undefined, 'merge', { data: { a: '2' } }));
    expect(st.message).toBe(
      'ConfigMap "frozen" is invalid: data: Forbidden: field is immutable when `immutable` is set',
    );
    api.patch(cms, 'default', 'frozen', undefined, 'merge', { metadata: { labels: { still: 'editable' } } });
  });

  it('dryRun=All validates without storing', () => {
    const r = api.create(cms, 'default', cm('dry'), { dryRun: true });
    expect(r.object.metadata?.uid).toBeDefined();
    expect(() => api.get(cms, 'default', 'dry')).toThrow('not found');
  });

  it('collects dependents in the background and orphans them on request', () => {
    const owner = api.create(cms, 'default', cm('owner')).object;
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata!.uid! };
    api.create(cms, 'default', { ...cm('child'), metadata: { name: 'child', ownerReferences: [ref] } });
    api.delete(cms, 'default', 'owner');
    expect(() => api.get(cms, 'default', 'child')).toThrow('not found');

    const owner2 = api.create(cms, 'default', cm('owner2')).object;
    const ref2 = { ...ref, name: 'owner2', uid: owner2.metadata!.uid! };
    api.create(cms, 'default', { ...cm('child2'), metadata: { name: 'child2', ownerReferences: [ref2] } });
    api.delete(cms, 'default', 'owner2', { propagationPolicy: 'Orphan' });
    expect(() => api.get(cms, 'default', 'owner2')).toThrow('not found');
    expect(api.get(cms, 'default', 'child2').metadata?.ownerReferences).toBeUndefined();
  });

  it('foreground deletion keeps the owner until its dependents are gone', () => {
    const owner = api.create(cms, 'default', cm('fg-owner')).object;
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'fg-owner', uid: owner.metadata!.uid! };
    api.create(cms, 'default', {
      ...cm('fg-child'),
      metadata: { name: 'fg-child', ownerReferences: [ref], finalizers: ['x/y'] },
    });
    api.delete(cms, 'default', 'fg-owner', { propagationPolicy: 'Foreground' });
    expect(api.get(cms, 'default', 'fg-owner').metadata?.finalizers).toEqual(['foregroundDeletion']);
    expect(api.get(cms, 'default', 'fg-child').metadata?.deletionTimestamp).toBeDefined();
    api.patch(cms, 'default', 'fg-child', undefined, 'merge', { metadata: { finalizers: null } });
    expect(() => api.get(cms, 'default', 'fg-child')).toThrow('not found');
    expect(() => api.get(cms, 'default', 'fg-owner')).toThrow('not found');
  });

  it('terminates a namespace: refuses new content, waits for finalizers, then goes', () => {
    const nsInfo = api.find('', 'v1', 'namespaces')!;
    api.create(nsInfo, undefined, { metadata: { name: 'team' } });
    api.create(cms, 'team', { ...cm('held'), metadata: { name: 'held', finalizers: ['x/y'] } });
    api.create(cms, 'team', cm('free'));
    api.delete(nsInfo, undefined, 'team');
    expect((api.get(nsInfo, undefined, 'team').status as { phase: string }).phase).toBe('Terminating');
    expect(() => api.get(cms, 'team', 'free')).toThrow('not found');
    expect(statusOf(() => api.create(cms, 'team', cm('late')))).toMatchObject({
      code: 403,
      message:
        'configmaps "late" is forbidden: unable to create new content in namespace team because it is being terminated',
    });
    api.patch(cms, 'team', 'held', undefined, 'merge', { metadata: { finalizers: null } });
    expect(() => api.get(nsInfo, undefined, 'team')).toThrow('namespaces "team" not found');
  });

  it('no-op updates keep the resourceVersion', () => {
    const a = api.create(cms, 'default', cm('same', { k: 'v' })).object;
    const again = api.update(cms, 'default', 'same', a, undefined).object;
    expect(again.metadata?.resourceVersion).toBe(a.metadata?.resourceVersion);
  });
});

describe('server-side apply', () => {
  it('owns applied fields, reports conflicts with the real wording, takes them over with force', () => {
    api.patch(cms, 'default', 'ssa', undefined, 'apply', cm('ssa', { a: '1', b: '1' }), {
      fieldManager: 'argocd',
    });
    api.patch(
      cms,
      'default',
      'ssa',
      undefined,
      'merge',
      { data: { a: '2' } },
      { fieldManager: 'kubectl-edit' },
    );
    expect(
      statusOf(() =>
        api.patch(cms, 'default', 'ssa', undefined, 'apply', cm('ssa', { a: '3', b: '1' }), {
          fieldManager: 'argocd',
        }),
      ),
    ).toMatchObject({
      code: 409,
      reason: 'Conflict',
      message: 'Apply failed with 1 conflict: conflict with "kubectl-edit" using v1: .data.a',
      details: {
        causes: [
          {
            reason: 'FieldManagerConflict',
            message: 'conflict with "kubectl-edit" using v1',
            field: '.data.a',
          },
        ],
      },
    });
    const forced = api.patch(cms, 'default', 'ssa', undefined, 'apply', cm('ssa', { a: '3', b: '1' }), {
      fieldManager: 'argocd',
      force: true,
    }).object;
    expect(forced.data).toEqual({ a: '3', b: '1' });
    const managers = ((forced.metadata?.managedFields ?? []) as { manager: string }[]).map((m) => m.manager);
    expect(managers).toEqual(['argocd']);
    // Dropping a field from the applied configuration removes it.
    const dropped = api.patch(cms, 'default', 'ssa', undefined, 'apply', cm('ssa', { a: '3' }), {
      fieldManager: 'argocd',
    });
    expect(dropped.object.data).toEqual({ a: '3' });
  });

  it('merges map lists by their keys', () => {
    const crds = api.find('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!;
    api.create(crds, undefined, CONTACT_CRD);
    const contacts = api.find('incidentmanager.gitops.dev', 'v1alpha1', 'contacts')!;
    const base = {
      apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
      kind: 'Contact',
      metadata: { name: 'c', namespace: 'default' },
      spec: { alias: 'c', displayName: 'C', type: 'Personal' },
    };
    const channel = (name: string, type: string, address: string) => ({ name, type, address });
    const withChannels = (...channels: unknown[]) => ({ ...base, spec: { ...base.spec, channels } });
    const r = api.patch(
      contacts,
      'default',
      'c',
      undefined,
      'apply',
      withChannels(channel('sms', 'SMS', '+353855550101')),
      {
        fieldManager: 'a',
      },
    );
    expect(r.created).toBe(true);
    api.patch(
      contacts,
      'default',
      'c',
      undefined,
      'apply',
      {
        ...withChannels(channel('mail', 'Email', 'c@example.com')),
        spec: { channels: [channel('mail', 'Email', 'c@example.com')] },
      },
      { fieldManager: 'b' },
    );
    const names = () =>
      ((api.get(contacts, 'default', 'c').spec as { channels: { name: string }[] }).channels ?? []).map(
        (c) => c.name,
      );
    expect(names()).toEqual(['sms', 'mail']);
    api.patch(contacts, 'default', 'c', undefined, 'apply', withChannels(), { fieldManager: 'a' });
    expect(names()).toEqual(['mail']);
    const status = { ...base, status: { arn: 'arn:aws:ssm-contacts:eu-west-1:111122223333:contact/c' } };
    api.patch(contacts, 'default', 'c', 'status', 'apply', status, { fieldManager: 'controller' });
    expect((api.get(contacts, 'default', 'c').status as { arn: string }).arn).toContain('contact/c');
    expect(
      statusOf(() =>
        api.patch(contacts, 'default', 'nope', 'status', 'apply', status, { fieldManager: 'controller' }),
      ),
    ).toMatchObject({ code: 404 });
    // As kube-apiserver: PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value.
    expect(statusOf(() => api.patch(cms, 'default', 'x', undefined, 'apply', cm('x'), {}))).toMatchObject({
      code: 422,
      reason: 'Invalid',
    });
  });
});
