#!/usr/bin/env node
// The package's only bin. The sources are TypeScript run directly by Node's type stripping
// (Node >= 22.18 strips erasable syntax by default; the project pins Node 24 through the npm
// `node` package), so there is no build step between a checkout and `npx imctl`.
import '../src/cli/main.ts';
