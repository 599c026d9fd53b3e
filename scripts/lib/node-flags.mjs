// Flags for every LendLab process started from these scripts (package.json's start and worker
// repeat them).
//
// --v8-pool-size=0: one V8 background thread (garbage collection helpers, compilers) per core,
// instead of Node's fixed four. Each thread that allocates keeps a glibc malloc arena of what it
// freed, and that memory stays resident: measured on the 2-core machine, the API at rest took
// 255 MiB with four threads and 188 MiB with two, with the same heap.
//
// --liftoff-only: WebAssembly (Prisma's query compiler, a 3.4 MB module) stays on V8's baseline
// compiler, Liftoff; only wasm, JavaScript is still optimised as before. When a function of the
// query compiler becomes hot, V8 re-compiles it with TurboFan on a background thread, and that
// compilation's working memory stays resident in the thread's malloc arena afterwards: about
// 30 MiB, whether a process had tiered up by the time it was measured was most of the difference
// between the 199 and 230 MiB the API measured at rest (bench/memory-at-rest.ts: 212 -> 175 MiB).
// Query plans are cached by the client (queryPlanCacheMaxSize), so the compiler runs once per
// query shape, not per query, and its speed does not show in a request's CPU once warm.
const COMMON = ['--enable-source-maps', '--v8-pool-size=0', '--liftoff-only'];

// The API alone (RUN_WORKERS=false): the default young generation. Its requests allocate little
// each; the larger one below cost it 40 MiB at rest (229 MiB against 188 MiB).
export const API_NODE_FLAGS = COMMON;

// Processes that run workers (worker.js, and main.js, which hosts them unless RUN_WORKERS=false):
// a larger young generation. A batch of risk reviews allocates many short-lived decimals and
// query parameters, and with the default 16 MB semi-space the garbage collector took a fifth of
// a worker's time during a crash (measured with `npm run bench -- liquidation`: 10.9-12.3 s with
// the default, 9.3-9.9 s with 64 MB).
export const NODE_FLAGS = [...COMMON, '--max-semi-space-size=64'];
