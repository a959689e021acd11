// A one-cluster, one-user kubeconfig document for tests of the controller's kubeconfig loader.

/** YAML with cluster `c` at `server`, user `u` (its `user` fields as given), context `ctx` (current). */
export const kubeconfigDoc = (server: string, user: Record<string, unknown>): string => `
apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: ${server}
users:
- name: u
  user: ${JSON.stringify(user)}
contexts:
- name: ctx
  context: { cluster: c, user: u, namespace: team }
current-context: ctx
`;
