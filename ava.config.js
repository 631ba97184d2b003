// One ava run covers every package; TypeScript runs through tsx. Tests that spawn the `shipgate`
// executable run the built JavaScript, so every ava run builds first (esbuild, well under a second).
import { execFileSync } from "node:child_process";

execFileSync(process.execPath, ["--import", "tsx", "tools/build/build.ts"], { stdio: "inherit", cwd: new URL(".", import.meta.url) });

export default {
  files: ["protocol/test/**/*.test.ts", "pipeline-client/test/**/*.test.ts", "firmware/test/**/*.test.ts", "broker-bridge/test/**/*.test.ts", "hardware/test/**/*.test.ts", "bench/test/**/*.test.ts"],
  extensions: { ts: "module" },
  nodeArguments: ["--import=tsx"],
  timeout: "120s",
  concurrency: 2,
  workerThreads: false,
};
