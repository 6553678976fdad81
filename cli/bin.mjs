#!/usr/bin/env node
// The operator CLI runs from a checkout of this repository; tsx loads the TypeScript sources.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
