// One ava run covers every package; TypeScript runs through tsx, so there is no build step.
export default {
  files: [
    'protocol/test/**/*.test.ts',
    'firmware/test/**/*.test.ts',
    'broker-bridge/test/**/*.test.ts',
    'hardware/test/**/*.test.ts',
    'bench/test/**/*.test.ts',
  ],
  extensions: { ts: 'module' },
  nodeArguments: ['--import=tsx'],
  timeout: '120s',
  concurrency: 2,
  workerThreads: false,
};
