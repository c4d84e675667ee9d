#!/usr/bin/env node
// Runs the TypeScript CLI directly through tsx, so the installed command never lags behind src/.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
