// The controller's own kubeconfig loader (no @kubernetes/client-node at run time) and what the
// informer cache keeps of an object. The connection's authentication: test/kube/engine/kubeconfig.test.ts.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KubeClient, slim } from '../../../src/engine/kube.ts';
import { KubeConfig } from '../../../src/engine/kubeconfig.ts';
import { kubeconfigDoc } from '../../support/kubeconfig.ts';

describe('informer cache trimming', () => {
  it('drops managedFields and the last-applied annotation, keeps everything the engine reads', () => {
    const obj = {
      apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
      kind: 'Contact',
      metadata: {
        name: 'alice',
        namespace: 'oncall',
        uid: 'u-1',
        generation: 3,
        resourceVersion: '42',
        finalizers: ['incidentmanager.gitops.dev/finalizer'],
        labels: { team: 'a' },
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': '{"a huge":"copy"}',
          'incidentmanager.gitops.dev/external-arn': 'arn:aws:ssm-contacts:us-east-1:1:contact/alice',
        },
        managedFields: [{ manager: 'kubectl', fieldsV1: { 'f:spec': {} } }],
      },
      spec: { alias: 'alice', type: 'Personal' },
      status: { observedGeneration: 3, conditions: [{ type: 'Ready', status: 'True' }] },
    };
    const kept = slim(structuredClone(obj));
    const { managedFields: _, annotations: __, ...meta } = obj.metadata;
    expect(kept).toEqual({
      ...obj,
      metadata: {
        ...meta,
        annotations: {
          'incidentmanager.gitops.dev/external-arn': 'arn:aws:ssm-contacts:us-east-1:1:contact/alice',
        },
      },
    });
    // An annotation map that held only last-applied stays (empty): a later annotation patch adds keys to it.
    const only = slim({
      metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
    });
    expect(only.metadata.annotations).toEqual({});
    expect(slim({ metadata: { name: 'x' } })).toEqual({ metadata: { name: 'x' } });
  });
});

describe('kubeconfig', () => {
  it('resolves file paths relative to the kubeconfig, merges KUBECONFIG files, and switches context', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kc-'));
    writeFileSync(join(dir, 'ca.crt'), 'CA');
    writeFileSync(
      join(dir, 'one'),
      kubeconfigDoc('https://one.example:6443', { token: 't1' }).replace(
        'server: https://one.example:6443',
        'server: https://one.example:6443/\n    certificate-authority: ca.crt',
      ),
    );
    writeFileSync(
      join(dir, 'two'),
      `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: https://ignored.example } }, { name: c2, cluster: { server: https://two.example } }]
users: [{ name: u2, user: { client-certificate: certs/client.crt, client-key: /abs/client.key } }]
contexts: [{ name: other, context: { cluster: c2, user: u2 } }]
current-context: other
`,
    );
    const saved = process.env.KUBECONFIG;
    process.env.KUBECONFIG = [join(dir, 'one'), join(dir, 'two')].join(':');
    try {
      const kc = new KubeConfig();
      kc.loadFromDefault();
      expect(kc.getCurrentCluster()).toEqual({
        name: 'c',
        server: 'https://one.example:6443',
        caFile: join(dir, 'ca.crt'),
      });
      expect(kc.getCurrentUser()).toEqual({ name: 'u', token: 't1' });
      kc.setCurrentContext('other');
      expect(kc.getCurrentCluster()?.server).toBe('https://two.example');
      expect(kc.getCurrentUser()).toMatchObject({
        certFile: join(dir, 'certs/client.crt'),
        keyFile: '/abs/client.key',
      });
      expect(() => kc.setCurrentContext('missing')).toThrow(/no context "missing"/);
    } finally {
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
    }
  });

  it('refuses what it does not support with what to use instead', () => {
    const kc = new KubeConfig();
    kc.loadFromString(kubeconfigDoc('https://x.example', { 'auth-provider': { name: 'gcp', config: {} } }));
    expect(() => new KubeClient(kc)).toThrow(
      /gcp auth-provider plugin is not supported.*exec credential plugin/,
    );
    expect(() => new KubeClient(new KubeConfig())).toThrow(/no current cluster/);
  });
});
