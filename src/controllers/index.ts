// The kinds the controller runs. Adding a kind = its folder under src/controllers/<kind>/
// (external.ts, mapping.ts, diff.ts) plus one KindModule entry here; the engine does the rest.
// AWSAccount is built in (src/aws/account-reconciler.ts) and is not listed.
import type { KindModule } from '../engine/plugin.ts';

export const kindModules: readonly KindModule[] = [];
