// The self-contained gate file's entry (tools/build/gate-file.ts bundles it): `node shipgate-gate.cjs
// [gate] --pipeline P --step S ...` behaves as `shipgate gate` (same flags, environment, exit
// codes, --record, resuming); started by GitHub's runner as an action, it reads INPUT_* instead.
import { runAction, isActionRun } from "./action";
import { gateCommand } from "./gate";
import { processIo } from "./io";

const argv = process.argv.slice(2);
if (argv[0] === "gate") argv.shift();
// A CommonJS file has no top-level await.
void (isActionRun(argv, process.env) ? runAction(process.env, processIo) : gateCommand(argv, processIo)).then((code) => {
  process.exitCode = code;
});
