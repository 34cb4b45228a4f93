/**
 * Sizes libuv's thread pool before anything uses it (imported first by cli.ts). Block
 * uploads chain several file-system calls, two of them fsyncs; with the default 4 threads,
 * 16 concurrent uploads queue behind each other (measured: ~30 % more upload throughput with
 * 16). An explicit UV_THREADPOOL_SIZE in the environment wins.
 */
process.env.UV_THREADPOOL_SIZE ??= '16';
