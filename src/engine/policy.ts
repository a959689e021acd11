// The management and deletion policies, read here and nowhere else: the engine, `imctl plan` and a
// kind that must judge another object (whether it manages what it holds) ask these, never the spec.
import type { DeletionPolicy } from '../crds/common.ts';
import type { KindHandler, ManagedObject } from './contract.ts';

type PolicyOf = Pick<KindHandler<ManagedObject, unknown>, 'defaultDeletionPolicy'>;

/** The object manages its AWS object (managementPolicy Manage, the default), rather than observing it. */
export function managesAws(obj: ManagedObject): boolean {
  return (obj.spec.managementPolicy ?? 'Manage') === 'Manage';
}

/**
 * What deleting the object does to AWS: the spec's policy, else the kind's default (the CRD's
 * default too, for an object stored before the default existed), else Delete.
 */
export function deletionPolicyOf(h: PolicyOf, obj: ManagedObject): DeletionPolicy {
  return obj.spec.deletionPolicy ?? h.defaultDeletionPolicy ?? 'Delete';
}

/** This pass may write to AWS: the object manages it and is not being deleted with Retain. */
export function writesAws(h: PolicyOf, obj: ManagedObject): boolean {
  if (!managesAws(obj)) return false;
  return !obj.metadata.deletionTimestamp || deletionPolicyOf(h, obj) === 'Delete';
}
