// Typed rules of the built-in kinds the controller uses (Lease, Event, Secret, ConfigMap), as
// kube-apiserver 1.32 applies them: the Go struct decoding (type errors are 400s, unknown fields
// are dropped with a warning) and the kinds' validation (422 causes).
import type { Obj, ResourceInfo } from './registry.ts';
import type { StatusCause } from './status.ts';

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A decoding failure: the caller turns it into `<Kind> in version "v1" cannot be handled as …`. */
export class DecodeError extends Error {}

// ---- Go time.Parse against the MicroTime layout ----------------------------------------------

const MICRO_LAYOUT = '2006-01-02T15:04:05.000000Z07:00';
const MICRO_ELEMS = ['2006', '-', '01', '-', '02', 'T', '15', ':', '04', ':', '05', '.000000', 'Z07:00'];
const RANGES: Record<string, [number, number, string]> = {
  '01': [1, 12, 'month'],
  '02': [1, 31, 'day'],
  '15': [0, 23, 'hour'],
  '04': [0, 59, 'minute'],
  '05': [0, 59, 'second'],
};

/** The error text of Go's time.Parse(RFC3339Micro, s), or undefined when it parses. */
export function microTimeError(s: string): string | undefined {
  const head = `parsing time ${JSON.stringify(s)}`;
  const bad = (rest: string, elem: string) =>
    `${head} as ${JSON.stringify(MICRO_LAYOUT)}: cannot parse ${JSON.stringify(rest)} as ${JSON.stringify(elem)}`;
  let rest = s;
  for (const elem of MICRO_ELEMS) {
    if (elem === '2006' || elem in RANGES) {
      const n = elem.length;
      if (rest.length < n || !/^\d+$/.test(rest.slice(0, n))) return bad(rest, elem);
      const range = RANGES[elem];
      const v = Number(rest.slice(0, n));
      if (range && (v < range[0] || v > range[1])) return `${head}: ${range[2]} out of range`;
      rest = rest.slice(n);
    } else if (elem === '.000000') {
      if (rest.length < 7 || rest[0] !== '.' || !/^\d{6}$/.test(rest.slice(1, 7))) return bad(rest, elem);
      rest = rest.slice(7);
    } else if (elem === 'Z07:00') {
      if (rest.startsWith('Z')) rest = rest.slice(1);
      else if (/^[+-]\d\d:\d\d/.test(rest)) rest = rest.slice(6);
      else return bad(rest, elem);
    } else {
      if (!rest.startsWith(elem)) return bad(rest, elem);
      rest = rest.slice(elem.length);
    }
  }
  return rest ? `${head}: extra text: ${JSON.stringify(rest)}` : undefined;
}

// ---- Go encoding/base64 StdEncoding ------------------------------------------------------------

const B64 = /[A-Za-z0-9+/]/;

/** The index Go's base64.StdEncoding.DecodeString reports as corrupt, or undefined when valid. */
export function base64ErrorAt(src: string): number | undefined {
  let si = 0;
  const skipNl = () => {
    while (si < src.length && (src[si] === '\n' || src[si] === '\r')) si++;
  };
  while (si < src.length) {
    for (let j = 0; j < 4; j++) {
      skipNl();
      if (si === src.length) return j === 0 ? undefined : si - j;
      const c = src[si++]!;
      if (B64.test(c)) continue;
      if (c !== '=') return si - 1;
      if (j < 2) return si - 1;
      if (j === 2) {
        skipNl();
        if (si === src.length) return src.length;
        if (src[si] !== '=') return si - 1;
        si++;
      }
      skipNl();
      return si < src.length ? si : undefined;
    }
  }
  return undefined;
}

// ---- typed decoding ----------------------------------------------------------------------------

const LEASE_SPEC: Record<string, 'string' | 'int32' | 'microtime'> = {
  holderIdentity: 'string',
  leaseDurationSeconds: 'int32',
  acquireTime: 'microtime',
  renewTime: 'microtime',
  leaseTransitions: 'int32',
};
/** Lease fields behind feature gates that are off in 1.32: dropped without a warning. */
const LEASE_GATED = new Set(['strategy', 'preferredHolder']);

function jsonKind(v: unknown): string {
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'string' ? 'string' : 'object';
}

function decodeLeaseSpec(spec: Rec, unknown: string[]): void {
  for (const [k, v] of Object.entries(spec)) {
    const t = LEASE_SPEC[k];
    if (!t) {
      if (!LEASE_GATED.has(k)) unknown.push(`spec.${k}`);
      delete spec[k];
      continue;
    }
    if (v === null) {
      delete spec[k];
      continue;
    }
    const where = `Go struct field LeaseSpec.spec.${k}`;
    if (t === 'int32') {
      if (typeof v !== 'number')
        throw new DecodeError(`json: cannot unmarshal ${jsonKind(v)} into ${where} of type int32`);
      if (!Number.isInteger(v) || v > 2 ** 31 - 1 || v < -(2 ** 31))
        throw new DecodeError(`json: cannot unmarshal number ${v} into ${where} of type int32`);
    } else if (typeof v !== 'string') {
      const into = t === 'string' ? `${where} of type string` : 'Go value of type string';
      throw new DecodeError(`json: cannot unmarshal ${jsonKind(v)} into ${into}`);
    } else if (t === 'microtime') {
      const err = microTimeError(v);
      if (err) throw new DecodeError(err);
    }
  }
}

function decodeBase64Map(m: unknown): void {
  if (!isRec(m)) return;
  for (const v of Object.values(m)) {
    if (typeof v !== 'string') continue;
    const at = base64ErrorAt(v);
    if (at !== undefined) throw new DecodeError(`illegal base64 data at input byte ${at}`);
  }
}

/**
 * Decodes `o` as the kind's Go struct would: throws DecodeError on a type error, drops unknown
 * fields and returns their paths (for the fieldValidation warning or strict error).
 */
export function decodeBuiltin(info: ResourceInfo, o: Obj): string[] {
  const unknown: string[] = [];
  if (info.group === 'coordination.k8s.io' && info.resource === 'leases' && isRec(o.spec))
    decodeLeaseSpec(o.spec, unknown);
  if (info.group === '' && info.resource === 'secrets') decodeBase64Map(o.data);
  if (info.group === '' && info.resource === 'configmaps') decodeBase64Map(o.binaryData);
  return unknown;
}

// ---- validation --------------------------------------------------------------------------------

const invalid = (field: string, value: unknown, msg: string): StatusCause => ({
  reason: 'FieldValueInvalid',
  field,
  message: `Invalid value: ${typeof value === 'string' ? JSON.stringify(value) : String(value)}: ${msg}`,
});
const required = (field: string): StatusCause => ({
  reason: 'FieldValueRequired',
  field,
  message: 'Required value',
});

const KEY_MSG =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

/** validation.IsConfigMapKey. */
function configKeyErrors(key: string): string[] {
  const errs: string[] = [];
  if (key.length > 253) errs.push('must be no more than 253 characters');
  if (!/^[-._a-zA-Z0-9]+$/.test(key)) errs.push(KEY_MSG);
  if (errs.length === 0) {
    if (key === '.') errs.push("must not be '.'");
    else if (key === '..') errs.push("must not be '..'");
    else if (key.startsWith('..')) errs.push("must not start with '..'");
  }
  return errs;
}

function keyCauses(path: string, m: unknown): StatusCause[] {
  if (!isRec(m)) return [];
  return Object.keys(m).flatMap((k) => configKeyErrors(k).map((msg) => invalid(`${path}[${k}]`, k, msg)));
}

function validateLease(o: Obj): StatusCause[] {
  const spec = isRec(o.spec) ? o.spec : {};
  const causes: StatusCause[] = [];
  const d = spec.leaseDurationSeconds;
  if (typeof d === 'number' && d <= 0)
    causes.push(invalid('spec.leaseDurationSeconds', d, 'must be greater than 0'));
  const t = spec.leaseTransitions;
  if (typeof t === 'number' && t < 0)
    causes.push(invalid('spec.leaseTransitions', t, 'must be greater than or equal to 0'));
  return causes;
}

function validateSecret(o: Obj): StatusCause[] {
  const data = isRec(o.data) ? o.data : {};
  const causes = keyCauses('data', data);
  const has = (k: string) => k in data;
  switch (o.type) {
    case 'kubernetes.io/service-account-token': {
      const ann = (o.metadata?.annotations ?? {}) as Record<string, string>;
      if (!ann['kubernetes.io/service-account.name'])
        causes.push(required('metadata.annotations[kubernetes.io/service-account.name]'));
      break;
    }
    case 'kubernetes.io/dockercfg':
      if (!has('.dockercfg')) causes.push(required('data[.dockercfg]'));
      break;
    case 'kubernetes.io/dockerconfigjson':
      if (!has('.dockerconfigjson')) causes.push(required('data[.dockerconfigjson]'));
      break;
    case 'kubernetes.io/basic-auth':
      if (!has('username') && !has('password'))
        causes.push(required('data[username]'), required('data[password]'));
      break;
    case 'kubernetes.io/ssh-auth':
      if (!data['ssh-privatekey']) causes.push(required('data[ssh-privatekey]'));
      break;
    case 'kubernetes.io/tls':
      if (!has('tls.crt')) causes.push(required('data[tls.crt]'));
      if (!has('tls.key')) causes.push(required('data[tls.key]'));
      break;
  }
  return causes;
}

function validateConfigMap(o: Obj): StatusCause[] {
  const binary = isRec(o.binaryData) ? o.binaryData : {};
  const causes: StatusCause[] = [];
  if (isRec(o.data))
    for (const k of Object.keys(o.data)) {
      causes.push(...configKeyErrors(k).map((msg) => invalid(`data[${k}]`, k, msg)));
      if (k in binary) causes.push(invalid(`data[${k}]`, k, 'duplicate of key present in binaryData'));
    }
  causes.push(...keyCauses('binaryData', binary));
  return causes;
}

/** An events.k8s.io/v1 Event in core v1 field names (the conversion both go through). */
export function eventToCore(e: Obj): Obj {
  const { regarding, note, deprecatedCount, deprecatedSource, reportingController, ...rest } = e;
  const { deprecatedFirstTimestamp, deprecatedLastTimestamp, ...keep } = rest;
  const out: Obj = { ...keep };
  if (regarding !== undefined) out.involvedObject = regarding;
  if (note !== undefined) out.message = note;
  if (deprecatedCount !== undefined) out.count = deprecatedCount;
  if (deprecatedSource !== undefined) out.source = deprecatedSource;
  if (reportingController !== undefined) out.reportingComponent = reportingController;
  if (deprecatedFirstTimestamp !== undefined) out.firstTimestamp = deprecatedFirstTimestamp;
  if (deprecatedLastTimestamp !== undefined) out.lastTimestamp = deprecatedLastTimestamp;
  return out;
}

/** A core v1 Event as events.k8s.io/v1 serves it, with that version's typed zero values. */
export function eventFromCore(c: Obj): Obj {
  const {
    involvedObject,
    message,
    count,
    source,
    reportingComponent,
    firstTimestamp,
    lastTimestamp,
    ...rest
  } = c;
  const out: Obj = {
    ...rest,
    eventTime: rest.eventTime ?? null,
    regarding: involvedObject ?? {},
    deprecatedSource: source ?? {},
    deprecatedFirstTimestamp: firstTimestamp ?? null,
    deprecatedLastTimestamp: lastTimestamp ?? null,
  };
  if (message !== undefined) out.note = message;
  if (count) out.deprecatedCount = count;
  if (reportingComponent) out.reportingController = reportingComponent;
  if (!out.reportingInstance) delete out.reportingInstance;
  return out;
}

const V1_EVENT_ZEROS: Record<string, unknown> = {
  eventTime: null,
  regarding: {},
  deprecatedSource: {},
  deprecatedFirstTimestamp: null,
  deprecatedLastTimestamp: null,
};

/** An events.k8s.io/v1 Event as stored (core v1 names, no zero values): both APIs share one store. */
export function eventToStorage(e: Obj): Obj {
  const out = { ...e };
  for (const [k, zero] of Object.entries(V1_EVENT_ZEROS))
    if (JSON.stringify(out[k]) === JSON.stringify(zero)) delete out[k];
  return eventToCore(out);
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** ValidateEventCreate: the legacy rules for both APIs, the strict ones for events.k8s.io. */
function validateEvent(info: ResourceInfo, given: Obj, creating: boolean): StatusCause[] {
  const strict = info.group === 'events.k8s.io';
  const e = strict ? eventToCore(given) : given;
  const ns = str(e.metadata?.namespace);
  const involvedNs = str(isRec(e.involvedObject) ? e.involvedObject.namespace : undefined);
  const causes: StatusCause[] = [];
  const nsMismatch = () =>
    causes.push(invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
  if (!e.eventTime) {
    if (involvedNs ? ns !== involvedNs : ns !== '' && ns !== 'default') nsMismatch();
  } else {
    if (!involvedNs && ns !== 'default' && ns !== 'kube-system') nsMismatch();
    const controllerField = strict ? 'reportingController' : 'reportingComponent';
    if (!str(e.reportingComponent)) causes.push(required(controllerField));
    if (!str(e.reportingInstance)) causes.push(required('reportingInstance'));
    if (!str(e.action)) causes.push(required('action'));
    if (!str(e.reason)) causes.push(required('reason'));
  }
  if (!strict || !creating) return causes;
  if (!e.eventTime) causes.push(required('eventTime'));
  if (e.type !== 'Normal' && e.type !== 'Warning')
    causes.push(invalid('type', '', `has invalid value: ${str(e.type)}`));
  if (e.firstTimestamp) causes.push(invalid('deprecatedFirstTimestamp', '', 'needs to be unset'));
  if (e.lastTimestamp) causes.push(invalid('deprecatedLastTimestamp', '', 'needs to be unset'));
  if (e.count) causes.push(invalid('deprecatedCount', '', 'needs to be unset'));
  const src = isRec(e.source) ? e.source : {};
  if (src.component || src.host) causes.push(invalid('deprecatedSource', '', 'needs to be unset'));
  return causes;
}

/** The kind's own validation (after metadata's), for the built-ins that have typed rules. */
export function validateBuiltin(info: ResourceInfo, o: Obj, old: Obj | undefined): StatusCause[] {
  if (info.group === 'coordination.k8s.io' && info.resource === 'leases') return validateLease(o);
  if (info.resource === 'events' && (info.group === '' || info.group === 'events.k8s.io'))
    return validateEvent(info, o, old === undefined);
  if (info.group === '' && info.resource === 'secrets') return validateSecret(o);
  if (info.group === '' && info.resource === 'configmaps') return validateConfigMap(o);
  return [];
}

/** Built-ins whose update strategy refuses a write without a resourceVersion. */
export function requiresResourceVersion(info: ResourceInfo): boolean {
  return info.group === 'coordination.k8s.io' && info.resource === 'leases';
}

/** Field-manager schema for the atomic structs of events (ObjectReference is structType=atomic). */
const ATOMIC = { type: 'object', 'x-kubernetes-map-type': 'atomic' };
const EVENT_FIELDS: Record<string, Rec> = {
  '': { type: 'object', properties: { involvedObject: ATOMIC, related: ATOMIC } },
  'events.k8s.io': { type: 'object', properties: { regarding: ATOMIC, related: ATOMIC } },
};
export function builtinFieldSchema(info: ResourceInfo): Rec | undefined {
  return info.resource === 'events' ? EVENT_FIELDS[info.group] : undefined;
}

const EVENT_ZEROS: Record<string, () => unknown> = {
  involvedObject: () => ({}),
  source: () => ({}),
  firstTimestamp: () => null,
  lastTimestamp: () => null,
  eventTime: () => null,
  reportingComponent: () => '',
  reportingInstance: () => '',
};

/** Drops the typed zero values again (a write sends them back; storage keeps the object lean). */
export function stripEventZeroValues(o: Obj): void {
  for (const [k, zero] of Object.entries(EVENT_ZEROS))
    if (JSON.stringify(o[k]) === JSON.stringify(zero())) delete o[k];
}

/** The typed zero values a core v1 Event carries in JSON (struct fields without omitempty). */
export function withEventZeroValues(o: Obj): Obj {
  for (const [k, zero] of Object.entries(EVENT_ZEROS)) if (o[k] === undefined) o[k] = zero();
  return o;
}
