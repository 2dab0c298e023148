// Entry point of `npm start` (and of every cluster worker, which runs the same file). Plain
// JavaScript on purpose: Node's compile cache has to be on before the first TypeScript file is
// loaded. A .ts file that misses the cache makes Node load its TypeScript stripper, a WebAssembly
// module that stays in memory for the life of the process (about 15 MB of resident memory), so
// enabling the cache from src/main.ts itself came one file too late.
import { enableCompileCache } from 'node:module';

// Kept in the system's temporary folder (or NODE_COMPILE_CACHE): V8's compiled code and the
// type-stripped source of every module, reused by the next start and by every worker.
enableCompileCache();
await import('../src/main.ts');
