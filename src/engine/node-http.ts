// node:http by require, not by an ES import: importing it as an ES module builds its whole
// namespace, whose lazy getters (WebSocket, MessageEvent …) load Node's bundled undici, the engine
// of fetch the controller never uses: ~2.6 MiB of heap (its 1.7 MB source kept as text) and ~14 MiB
// of RSS. Types still come from `import type … from 'node:http'`.
import { createRequire } from 'node:module';

export const http = createRequire(import.meta.url)('node:http') as typeof import('node:http');
