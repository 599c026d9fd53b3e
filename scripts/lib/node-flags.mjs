// Flags for every LendLab process started from these scripts (package.json's start and worker
// repeat them).
//
// --v8-pool-size=0: one V8 background thread (garbage collection helpers, compilers) per core,
// instead of Node's fixed four. Each thread that allocates keeps a glibc malloc arena of what it
// freed, and that memory stays resident: measured on the 2-core machine, the API at rest took
// 255 MiB with four threads and 188 MiB with two, with the same heap.
const COMMON = ['--enable-source-maps', '--v8-pool-size=0'];

// The API alone (RUN_WORKERS=false): the default young generation. Its requests allocate little
// each; the larger one below cost it 40 MiB at rest (229 MiB against 188 MiB).
export const API_NODE_FLAGS = COMMON;

// Processes that run workers (worker.js, and main.js, which hosts them unless RUN_WORKERS=false):
// a larger young generation. A batch of risk reviews allocates many short-lived decimals and
// query parameters, and with the default 16 MB semi-space the garbage collector took a fifth of
// a worker's time during a crash (measured with `npm run bench -- liquidation`: 10.9-12.3 s with
// the default, 9.3-9.9 s with 64 MB).
export const NODE_FLAGS = [...COMMON, '--max-semi-space-size=64'];
