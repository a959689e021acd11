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
