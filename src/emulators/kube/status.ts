// metav1.Status objects worded as kube-apiserver words them (k8s.io/apimachinery/pkg/api/errors).
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** A failed request: carries the Status the server answers with. */
export class KubeError extends Error {
  readonly status: Status;
  /** `Warning` headers sent with the refusal (e.g. unknown fields on an invalid create). */
  warnings: string[] = [];
  /** Sent as a text/plain body instead of the Status (Go's mux answers unknown paths so). */
  plainText: string | undefined;
  constructor(status: Status) {
    super(status.message ?? status.reason ?? 'error');
    this.status = status;
  }
}

function failure(code: number, reason: string, message: string, details?: StatusDetails): KubeError {
  const s: Status = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  };
  if (details) s.details = details;
  return new KubeError(s);
}

/** `configmaps` for the core group, `widgets.example.com` otherwise (schema.GroupResource.String()). */
export function qualifiedResource(group: string, resource: string): string {
  return group === '' ? resource : `${resource}.${group}`;
}

function detailsFor(group: string, resource: string, name: string): StatusDetails {
  // StatusDetails.name is omitempty.
  const d: StatusDetails = name === '' ? { kind: resource } : { name, kind: resource };
  if (group !== '') d.group = group;
  return d;
}

export const errors = {
  notFound(group: string, resource: string, name: string): KubeError {
    return failure(
      404,
      'NotFound',
      `${qualifiedResource(group, resource)} "${name}" not found`,
      detailsFor(group, resource, name),
    );
  },
  alreadyExists(group: string, resource: string, name: string): KubeError {
    return failure(
      409,
      'AlreadyExists',
      `${qualifiedResource(group, resource)} "${name}" already exists`,
      detailsFor(group, resource, name),
    );
  },
  conflict(group: string, resource: string, name: string, why: string): KubeError {
    return failure(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualifiedResource(group, resource)} "${name}": ${why}`,
      detailsFor(group, resource, name),
    );
  },
  modified(group: string, resource: string, name: string): KubeError {
    return errors.conflict(
      group,
      resource,
      name,
      'the object has been modified; please apply your changes to the latest version and try again',
    );
  },
  applyConflict(message: string, causes: StatusCause[]): KubeError {
    return failure(409, 'Conflict', message, { causes });
  },
  invalid(group: string, kind: string, name: string, causes: StatusCause[]): KubeError {
    // utilerrors.NewAggregate drops duplicate messages.
    const list = [
      ...new Set(causes.map((c) => (c.field ? `${c.field}: ${c.message ?? ''}` : (c.message ?? '')))),
    ];
    const joined = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
    const gk = group === '' ? kind : `${kind}.${group}`;
    const d: StatusDetails = name === '' ? { kind, causes } : { name, kind, causes };
    if (group !== '') d.group = group;
    return failure(422, 'Invalid', `${gk} "${name}" is invalid: ${joined}`, d);
  },
  badRequest(message: string): KubeError {
    return failure(400, 'BadRequest', message);
  },
  methodNotSupported(group: string, resource: string, verb: string): KubeError {
    return failure(
      405,
      'MethodNotAllowed',
      `${verb} is not supported on resources of kind "${qualifiedResource(group, resource)}"`,
      { group, kind: resource },
    );
  },
  unsupportedMediaType(_contentType: string, accepted: string[]): KubeError {
    return failure(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
    );
  },
  /** Invalid request options (`CreateOptions.meta.k8s.io "" is invalid: …`). */
  invalidOptions(kind: string, causes: StatusCause[]): KubeError {
    const list = causes.map((c) => `${c.field}: ${c.message ?? ''}`);
    const joined = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
    return failure(422, 'Invalid', `${kind}.meta.k8s.io "" is invalid: ${joined}`, {
      group: 'meta.k8s.io',
      kind,
      causes,
    });
  },
  /** A Status with a code and message but no reason, as kube answers some internal failures. */
  bare(code: number, message: string): KubeError {
    return new KubeError({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message,
      code,
    });
  },
  forbidden(group: string, resource: string, name: string, why: string): KubeError {
    const what =
      name === '' ? qualifiedResource(group, resource) : `${qualifiedResource(group, resource)} "${name}"`;
    return failure(403, 'Forbidden', `${what} is forbidden: ${why}`, detailsFor(group, resource, name));
  },
  tooLarge(message: string): KubeError {
    return failure(413, 'RequestEntityTooLarge', message);
  },
  gone(message: string): KubeError {
    return failure(410, 'Expired', message);
  },
  /** No route in a built-in group version: go-restful's Status. */
  notFoundStatus(): KubeError {
    return failure(404, 'NotFound', 'the server could not find the requested resource', {});
  },
  /** No handler for the path (unknown group, version or resource): answered as plain text. */
  notFoundPath(): KubeError {
    const e = failure(404, 'NotFound', 'the server could not find the requested resource', {});
    e.plainText = '404 page not found\n';
    return e;
  },
  /**
   * How kube-apiserver 1.32 answers a JSON patch that cannot apply (a failed test, a missing path):
   * a generic 422 whose details are empty, so the patch library's reason is not shown (`_detail`).
   */
  patchRejected(_detail: string): KubeError {
    return failure(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
  },
  internal(message: string): KubeError {
    return failure(500, 'InternalError', `Internal error occurred: ${message}`, {
      causes: [{ message }],
    });
  },
};

export function success(details?: StatusDetails): Status {
  const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 200 };
  if (details) s.details = details;
  return s;
}
