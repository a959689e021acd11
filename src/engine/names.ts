// Bookkeeping names under incidentmanager.gitops.dev/. The identity annotation and the finalizer are
// part of the API (src/crds/values.ts); the pending mark is the engine's own.
import { EXTERNAL_ARN_ANNOTATION, FINALIZER, GROUP } from '../crds/values.ts';

/** AWS identity (ARN) of the object (set by the controller after create, or by a user to adopt) and the finalizer. */
export { EXTERNAL_ARN_ANNOTATION, FINALIZER, GROUP };
/** Written before a create; lets a restarted controller find an object whose create was interrupted. */
export const CREATE_PENDING_ANNOTATION = `${GROUP}/create-pending`;
/**
 * Time of this controller's last successful write to the AWS object: a not-found read soon after
 * it is read lag, not deletion. In the object, so the allowance survives a restart.
 */
export const LAST_WRITE_ANNOTATION = `${GROUP}/last-write`;
/** Annotations the controller itself writes: changes to them never trigger a reconcile. */
export const BOOKKEEPING_ANNOTATIONS: readonly string[] = [
  EXTERNAL_ARN_ANNOTATION,
  CREATE_PENDING_ANNOTATION,
  LAST_WRITE_ANNOTATION,
];
