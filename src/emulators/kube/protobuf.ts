// Decodes the Kubernetes protobuf encoding (`application/vnd.kubernetes.protobuf`) that kubectl's
// typed commands (`create configmap|secret|namespace|serviceaccount`) send, for the built-in kinds
// the emulator serves. Field numbers follow k8s.io/api generated.proto.
import { errors } from './status.ts';

type Fields = Map<number, (bigint | Buffer)[]>;

function readVarint(buf: Buffer, pos: { p: number }): bigint {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    const b = buf[pos.p++];
    if (b === undefined) throw errors.badRequest('protobuf: truncated varint');
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return result;
    shift += 7n;
  }
}

function parse(buf: Buffer): Fields {
  const out: Fields = new Map();
  const pos = { p: 0 };
  while (pos.p < buf.length) {
    const tag = Number(readVarint(buf, pos));
    const field = tag >> 3;
    const wire = tag & 7;
    let v: bigint | Buffer;
    if (wire === 0) v = readVarint(buf, pos);
    else if (wire === 2) {
      const len = Number(readVarint(buf, pos));
      v = buf.subarray(pos.p, pos.p + len);
      pos.p += len;
    } else if (wire === 1) {
      v = buf.readBigUInt64LE(pos.p);
      pos.p += 8;
    } else if (wire === 5) {
      v = BigInt(buf.readUInt32LE(pos.p));
      pos.p += 4;
    } else throw errors.badRequest(`protobuf: unsupported wire type ${wire}`);
    const list = out.get(field) ?? [];
    list.push(v);
    out.set(field, list);
  }
  return out;
}

const str = (f: Fields, n: number) => {
  const v = f.get(n)?.[0];
  return Buffer.isBuffer(v) ? v.toString('utf8') : undefined;
};
const strs = (f: Fields, n: number) =>
  (f.get(n) ?? []).filter(Buffer.isBuffer).map((b) => b.toString('utf8'));
const num = (f: Fields, n: number) => {
  const v = f.get(n)?.[0];
  return typeof v === 'bigint' ? Number(BigInt.asIntN(64, v)) : undefined;
};
const bool = (f: Fields, n: number) => {
  const v = f.get(n)?.[0];
  return typeof v === 'bigint' ? v !== 0n : undefined;
};
const msgs = (f: Fields, n: number) => (f.get(n) ?? []).filter(Buffer.isBuffer).map(parse);
const msg = (f: Fields, n: number) => msgs(f, n)[0];

function map(f: Fields, n: number, bytes = false): Record<string, string> | undefined {
  const entries = msgs(f, n);
  if (entries.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const e of entries) {
    const k = str(e, 1) ?? '';
    const raw = e.get(2)?.[0];
    out[k] = Buffer.isBuffer(raw) ? (bytes ? raw.toString('base64') : raw.toString('utf8')) : '';
  }
  return out;
}

function time(f: Fields | undefined): string | undefined {
  if (!f) return undefined;
  const s = num(f, 1) ?? 0;
  return new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function compact(o: Record<string, unknown>): Record<string, unknown> {
  // Go's omitempty: empty strings and absent fields are the same.
  for (const k of Object.keys(o)) if (o[k] === undefined || o[k] === '') delete o[k];
  return o;
}

function objectMeta(f: Fields | undefined): Record<string, unknown> {
  if (!f) return {};
  const owners = msgs(f, 13).map((o) =>
    compact({
      apiVersion: str(o, 5),
      kind: str(o, 1),
      name: str(o, 3),
      uid: str(o, 4),
      controller: bool(o, 6),
      blockOwnerDeletion: bool(o, 7),
    }),
  );
  const fins = strs(f, 14);
  return compact({
    name: str(f, 1),
    generateName: str(f, 2),
    namespace: str(f, 3),
    uid: str(f, 5),
    resourceVersion: str(f, 6),
    generation: num(f, 7),
    labels: map(f, 11),
    annotations: map(f, 12),
    ownerReferences: owners.length > 0 ? owners : undefined,
    finalizers: fins.length > 0 ? fins : undefined,
  });
}

type Decoder = (f: Fields) => Record<string, unknown>;

const DECODERS: Record<string, Decoder> = {
  'v1/ConfigMap': (f) =>
    compact({
      metadata: objectMeta(msg(f, 1)),
      data: map(f, 2),
      binaryData: map(f, 3, true),
      immutable: bool(f, 4),
    }),
  'v1/Secret': (f) =>
    compact({
      metadata: objectMeta(msg(f, 1)),
      data: map(f, 2, true),
      type: str(f, 3),
      stringData: map(f, 4),
      immutable: bool(f, 5),
    }),
  'v1/Namespace': (f) => {
    const spec = msg(f, 2);
    const fins = spec ? strs(spec, 1) : [];
    return compact({
      metadata: objectMeta(msg(f, 1)),
      spec: fins.length > 0 ? { finalizers: fins } : undefined,
    });
  },
  'v1/ServiceAccount': (f) => {
    const secrets = msgs(f, 2).map((s) =>
      compact({ kind: str(s, 1), namespace: str(s, 2), name: str(s, 3) }),
    );
    const pulls = msgs(f, 3).map((s) => compact({ name: str(s, 1) }));
    return compact({
      metadata: objectMeta(msg(f, 1)),
      secrets: secrets.length > 0 ? secrets : undefined,
      imagePullSecrets: pulls.length > 0 ? pulls : undefined,
      automountServiceAccountToken: bool(f, 4),
    });
  },
  'coordination.k8s.io/v1/Lease': (f) => {
    const s = msg(f, 2);
    return compact({
      metadata: objectMeta(msg(f, 1)),
      spec: s
        ? compact({
            holderIdentity: str(s, 1),
            leaseDurationSeconds: num(s, 2),
            acquireTime: time(msg(s, 3)),
            renewTime: time(msg(s, 4)),
            leaseTransitions: num(s, 5),
          })
        : undefined,
    });
  },
};

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** Decodes a protobuf-encoded object (runtime.Unknown envelope) into its JSON form. */
export function decodeProtobuf(body: Buffer): Record<string, unknown> {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC))
    throw errors.badRequest('protobuf: missing k8s envelope');
  const unknown = parse(body.subarray(4));
  const tm = msg(unknown, 1);
  const apiVersion = tm ? (str(tm, 1) ?? '') : '';
  const kind = tm ? (str(tm, 2) ?? '') : '';
  const raw = unknown.get(2)?.[0];
  const decoder = DECODERS[`${apiVersion}/${kind}`];
  if (!decoder || !Buffer.isBuffer(raw))
    throw errors.unsupportedMediaType('application/vnd.kubernetes.protobuf', [
      'application/json',
      'application/yaml',
    ]);
  return { apiVersion, kind, ...decoder(parse(raw)) };
}
