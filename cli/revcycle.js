#!/usr/bin/env node
// The `revcycle` npm bin: runs the TypeScript CLI through tsx, so no build step is needed.
require('tsx/cjs');
require('./revcycle.ts');
