// The kinds the controller runs, discovered from their folders: adding a kind = a folder
// src/controllers/<kind>/ whose index.ts exports `module: KindModule` (external client, mapping,
// diff); the engine does the rest. Discovery keeps parallel work on different kinds out of one
// shared list. AWSAccount is built in (src/aws/account-reconciler.ts) and is not listed.
import { existsSync, readdirSync } from 'node:fs';
import type { KindModule } from '../engine/plugin.ts';

const here = new URL('./', import.meta.url);

async function discover(): Promise<KindModule[]> {
  const folders = readdirSync(here, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(new URL(`${d.name}/index.ts`, here)))
    .map((d) => d.name)
    .sort();
  const out: KindModule[] = [];
  for (const folder of folders) {
    const mod = (await import(new URL(`${folder}/index.ts`, here).href)) as { module?: KindModule };
    if (!mod.module) throw new Error(`src/controllers/${folder}/index.ts must export \`module: KindModule\``);
    out.push(mod.module);
  }
  return out;
}

export const kindModules: readonly KindModule[] = await discover();
