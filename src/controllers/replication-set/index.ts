// ReplicationSet (ssm-incidents replication set), discovered by src/controllers/index.ts.
import type { KindModule } from '../../engine/plugin.ts';
import { replicationSetHandler } from './handler.ts';

export const module: KindModule = {
  kind: 'ReplicationSet',
  create: (deps) => replicationSetHandler(deps),
};
