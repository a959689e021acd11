// How a kind plugs into the engine. A kind folder exports one KindModule from
// `src/controllers/<kind>/index`-style code and is listed in `src/controllers/index.ts`; the
// engine does the rest (informer, queue, workers, status, events, finalizers, metrics).
import type { AccountResolver } from '../aws/accounts.ts';
import type { AwsGate } from '../aws/gate.ts';
import type { KindDefinition } from '../crds/registry.ts';
import type { Clock } from './clock.ts';
import type { KindHandler, ManagedObject } from './contract.ts';
import type { ResourceType } from './kube.ts';
import type { Lookup } from './references.ts';

/** What a kind's handler may use to reach AWS and read other objects. */
export interface KindDeps {
  gate: AwsGate;
  accounts: AccountResolver;
  /** Informer-cache reads by key (kind/namespace/name), e.g. the AWSAccount an object names. */
  lookup: Lookup;
  defaultRegion: string;
  /** The engine's clock (jumps with the emulator's in local runs); wall time when absent. */
  clock?: Clock;
  /** Every cached object of a kind (e.g. the objects of an account that block a deletion). */
  list?: (kind: string) => ManagedObject[];
}

export interface KindModule {
  kind: string;
  // biome-ignore lint/suspicious/noExplicitAny: each kind has its own object and canonical types
  create(deps: KindDeps): KindHandler<any, any>;
  /** Workers for this kind (default: the controller's --workers). */
  workers?: number;
}

export function resourceTypeOf(
  def: Pick<KindDefinition, 'group' | 'version' | 'plural' | 'scope'>,
): ResourceType {
  return {
    group: def.group,
    version: def.version,
    plural: def.plural,
    namespaced: def.scope === 'Namespaced',
  };
}

export type { ManagedObject };
