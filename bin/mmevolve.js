#!/usr/bin/env node
// The repository's development launcher: runs the TypeScript CLI (src/cli/main.ts) through tsx, so tests,
// benches and the demo always run the current sources. The installed `mmevolve` command is the built
// JavaScript instead (package.json "bin": lib/cli/main.js, built by `npm run build`), which needs no tsx.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
