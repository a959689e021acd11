// Bookkeeping names under incidentmanager.gitops.dev/. The identity annotation and the finalizer are
// part of the user-facing API (documented in docs/controller.md); the API module re-exports the same
// strings so users and code read one spelling.
export const GROUP = 'incidentmanager.gitops.dev';
/** AWS identity (ARN) of the object; set by the controller after create, or by a user to adopt. */
export const EXTERNAL_ARN_ANNOTATION = `${GROUP}/external-arn`;
/** Written before a create; lets a restarted controller find an object whose create was interrupted. */
export const CREATE_PENDING_ANNOTATION = `${GROUP}/create-pending`;
export const FINALIZER = `${GROUP}/finalizer`;
/** Annotations the controller itself writes: changes to them never trigger a reconcile. */
export const BOOKKEEPING_ANNOTATIONS: readonly string[] = [
  EXTERNAL_ARN_ANNOTATION,
  CREATE_PENDING_ANNOTATION,
];
