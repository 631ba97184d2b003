// The gate as a GitHub JavaScript action (shared/docs/contract.md, "Surfaces added in the second
// round"): inputs arrive as INPUT_<NAME> variables (GitHub uppercases the name and turns spaces
// into underscores), outputs go to the file $GITHUB_OUTPUT names, and the process exits with the
// gate's code. https://docs.github.com/en/actions/sharing-automations/creating-actions/metadata-syntax-for-github-actions

import { randomUUID } from "node:crypto";
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { gateCommand } from "./gate";
import type { Io } from "./io";
import type { DecisionRecord } from "./record";

export const ACTION_INPUTS = ["broker", "username", "password", "pipeline", "step", "summary", "timeout", "record"] as const;
type Inputs = Record<(typeof ACTION_INPUTS)[number], string>;

export function actionInputs(env: NodeJS.ProcessEnv): Inputs {
  return Object.fromEntries(ACTION_INPUTS.map((n) => [n, (env[`INPUT_${n.toUpperCase()}`] ?? "").trim()])) as Inputs;
}

/** True when the runner started this file as an action: no arguments, and the action's inputs set. */
export function isActionRun(argv: string[], env: NodeJS.ProcessEnv): boolean {
  return argv.length === 0 && env.GITHUB_ACTIONS === "true" && env.INPUT_STEP !== undefined;
}

/** One `name<<delimiter` block per output: safe for any value (GitHub's multiline syntax). */
function writeOutputs(file: string | undefined, outputs: Record<string, string>): void {
  if (!file) return;
  const text = Object.entries(outputs)
    .map(([name, value]) => {
      const delimiter = `shipgate_${randomUUID()}`;
      return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
    })
    .join("");
  appendFileSync(file, text);
}

const MEANING: Record<number, string> = {
  1: "was rejected (or the gate is blocked)",
  2: "expired: nobody decided in time",
};

export async function runAction(env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  const inputs = actionInputs(env);
  const gateEnv: NodeJS.ProcessEnv = { ...env };
  if (inputs.broker) gateEnv.SHIPGATE_BROKER_URL = inputs.broker;
  // No user name: connect anonymously (an open test bridge), not as the empty user.
  delete gateEnv.SHIPGATE_USERNAME;
  delete gateEnv.SHIPGATE_PASSWORD;
  if (inputs.username) {
    gateEnv.SHIPGATE_USERNAME = inputs.username;
    gateEnv.SHIPGATE_PASSWORD = inputs.password;
  }
  const args = ["--pipeline", inputs.pipeline, "--step", inputs.step];
  if (inputs.summary) args.push("--summary", inputs.summary);
  if (inputs.timeout) args.push("--timeout", inputs.timeout);
  if (inputs.record) args.push("--record", inputs.record);
  const code = await gateCommand(args, { ...io, env: gateEnv });

  const label = `${inputs.pipeline}/${inputs.step}`;
  let record: DecisionRecord | undefined;
  if (inputs.record && existsSync(inputs.record)) {
    try {
      record = JSON.parse(readFileSync(inputs.record, "utf8")) as DecisionRecord;
    } catch {
      record = undefined;
    }
  }
  // No decision read (a usage or connection error): no outputs, as steps test `outputs.state != ''`.
  if (record !== undefined) writeOutputs(env.GITHUB_OUTPUT, { state: record.state, "decided-by": record.decided_by ?? "", record: inputs.record });
  // Workflow commands: an annotation on the run's summary page.
  if (code === 0) io.out(`shipgate: ${label} approved`);
  else io.out(`::error title=shipgate::${MEANING[code] ? `${label} ${MEANING[code]}` : `shipgate gate failed with exit code ${code} (usage, connection or authorization)`}`);
  return code;
}
