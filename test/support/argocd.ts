// Argo CD's sync order for manifests: objects grouped by the argocd.argoproj.io/sync-wave
// annotation (default 0), lowest wave first; Argo CD applies a wave and waits for every object in
// it to be Healthy before it starts the next.
export const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';

interface Annotated {
  metadata?: object;
}

export function waveOf(o: Annotated): number {
  const meta = o.metadata as { annotations?: Record<string, string> | null } | undefined;
  const w = meta?.annotations?.[SYNC_WAVE];
  return w === undefined ? 0 : Number.parseInt(w, 10);
}

/** [wave, objects] in the order Argo CD syncs them (objects keep their order within a wave). */
export function byWave<T extends Annotated>(objects: readonly T[]): [number, T[]][] {
  const waves = new Map<number, T[]>();
  for (const o of objects) waves.set(waveOf(o), [...(waves.get(waveOf(o)) ?? []), o]);
  return [...waves.entries()].sort((a, b) => a[0] - b[0]);
}

/**
 * Objects of `kind` in every state the health checks tell apart: each reason of `reasons` on Ready,
 * on Synced and on both, True and False, for the current generation and an older one; no status
 * yet; no Synced (AWSAccount). For holding two Lua VMs to the same answers.
 */
export function healthStates(kind: string, reasons: readonly string[]): unknown[] {
  const cond = (type: string, status: string, reason: string, gen: number) => ({
    type,
    status,
    reason,
    message: `${type} ${reason}`,
    observedGeneration: gen,
  });
  const out: unknown[] = [{ kind, metadata: { name: 'x', generation: 3 } }];
  for (const reason of [...reasons, 'SomethingNew'])
    for (const status of ['True', 'False'])
      for (const gen of [2, 3])
        for (const on of [['Ready'], ['Synced'], ['Ready', 'Synced']]) {
          const ready = on.includes('Ready')
            ? cond('Ready', status, reason, gen)
            : cond('Ready', 'True', 'Available', 3);
          const synced = on.includes('Synced')
            ? cond('Synced', status, reason, gen)
            : cond('Synced', 'True', 'ReconcileSuccess', 3);
          const meta = { name: 'x', generation: 3 };
          out.push({
            kind,
            metadata: meta,
            status: { observedGeneration: gen, conditions: [ready, synced] },
          });
          out.push({ kind, metadata: meta, status: { conditions: [ready] } });
        }
  return out;
}
