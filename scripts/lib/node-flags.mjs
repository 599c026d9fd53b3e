// Flags for every LendLab process started from these scripts (package.json's start and worker
// repeat them). A larger young generation: a batch of risk reviews allocates many short-lived
// decimals and query parameters, and with the default 16 MB semi-space the garbage collector
// took a fifth of a worker's time during a crash (measured with `npm run bench -- liquidation`:
// 10.9-12.3 s with the default, 9.3-9.9 s with 64 MB).
export const NODE_FLAGS = ['--enable-source-maps', '--max-semi-space-size=64'];
