// The GitHub Actions step, the GitLab CI job template and the Jenkins stage cannot run their CI
// systems here. Instead each test takes the exact shell lines the template holds (the action's
// `run:`, the job's `script:`, the stage's `sh` script), sets the environment the template defines
// (with the CI system's own variables filled in), runs them with the shell that CI system uses,
// against a real bridge whose gadget decides. A drift in flags or exit handling fails here.
import test from "ava";
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { EXIT } from "../src/cli/gate";
import { SHIPGATE_BIN } from "./helpers/bridge";
import { type GateRig, run, startGateRig } from "./integrations-support";

const INTEGRATIONS = fileURLToPath(new URL("../../integrations/", import.meta.url));

/** A directory with `shipgate` on it, as an installed bridge package provides. */
function binDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "shipgate-path-"));
  symlinkSync(SHIPGATE_BIN, path.join(dir, "shipgate"));
  return dir;
}

function credentials(g: GateRig): NodeJS.ProcessEnv {
  return { SHIPGATE_BROKER_URL: g.brokerUrl, SHIPGATE_USERNAME: g.pipelineUser.username, SHIPGATE_PASSWORD: g.pipelineUser.password };
}

function recordIn(dir: string, file = "shipgate-record.json"): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(dir, file), "utf8")) as Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// GitHub Actions: the composite action's step, with ${{ inputs.* }} and ${{ github.* }} filled in.

interface ActionYaml {
  inputs: Record<string, { required?: boolean; default?: string }>;
  runs: { using: string; steps: { id?: string; shell: string; env: Record<string, string>; run: string }[] };
}

const GITHUB = { repository: "acme/api", ref_name: "main", sha: "0123456789abcdef", actor: "alice" };

function expand(text: string, contexts: Record<string, Record<string, string>>): string {
  return text.replace(/\$\{\{\s*([a-z_]+)\.([A-Za-z0-9_-]+)\s*\}\}/g, (whole, ctx: string, key: string) => {
    const value = contexts[ctx]?.[key];
    if (value === undefined) throw new Error(`the action uses ${whole}, which this test does not provide`);
    return value;
  });
}

async function runAction(g: GateRig, withInputs: Record<string, string>) {
  const action = parse(readFileSync(path.join(INTEGRATIONS, "github-actions/action.yml"), "utf8")) as ActionYaml;
  const inputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(action.inputs)) {
    if (spec.required && withInputs[name] === undefined) throw new Error(`input ${name} is required`);
    inputs[name] = withInputs[name] ?? expand(String(spec.default ?? ""), { github: GITHUB });
  }
  for (const name of Object.keys(withInputs)) if (!(name in action.inputs)) throw new Error(`the action has no input ${name}`);
  const step = action.runs.steps[0];
  if (step === undefined) throw new Error("the action has no step");
  const work = mkdtempSync(path.join(tmpdir(), "gha-"));
  const output = path.join(work, "github-output");
  writeFileSync(output, "");
  writeFileSync(path.join(work, "step.sh"), expand(step.run, { inputs, github: GITHUB }));
  const env: NodeJS.ProcessEnv = { GITHUB_OUTPUT: output, GITHUB_ACTION_PATH: path.join(INTEGRATIONS, "github-actions") };
  for (const [k, v] of Object.entries(step.env)) env[k] = expand(v, { inputs, github: GITHUB });
  assertBashStep(step.shell);
  // GitHub's `shell: bash` is `bash --noprofile --norc -eo pipefail {0}` (docs: "Workflow syntax", jobs.<id>.steps[*].shell).
  const ran = await run("bash", ["--noprofile", "--norc", "-eo", "pipefail", path.join(work, "step.sh")], { env, cwd: work, timeoutMs: 90_000 });
  const outputs = Object.fromEntries(readFileSync(output, "utf8").split("\n").filter(Boolean).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
  return { ...ran, outputs, work, action };
}

function assertBashStep(shell: string): void {
  if (shell !== "bash") throw new Error(`the action's step runs with ${shell}; this test runs it as GitHub runs bash`);
}

test.serial("GitHub Actions: the composite action's step exits with gate's code and sets its outputs", async (t) => {
  const g = await startGateRig();
  try {
    const auth = { broker: g.brokerUrl, username: g.pipelineUser.username, password: g.pipelineUser.password };
    const approved = await runAction(g, { ...auth, step: "deploy-prod" });
    t.is(approved.code, EXIT.approved, approved.stderr + approved.stdout);
    t.deepEqual(approved.outputs, { state: "approved", "decided-by": "gadget:desk-1" });
    t.like(recordIn(approved.work), { pipeline: "acme/api", step: "deploy-prod", state: "approved" });
    const lock = [...g.states.values()].find((l) => l.pipeline === "acme/api");
    t.is(lock?.summary, "main 0123456789abcdef by alice", "the default summary names ref, sha and actor");

    g.desk.decision = "reject";
    const rejected = await runAction(g, { ...auth, step: "deploy-prod", record: "decision.json" });
    t.is(rejected.code, EXIT.rejected);
    t.is(rejected.outputs.state, "rejected");
    t.regex(rejected.stdout, /::error title=shipgate::acme\/api\/deploy-prod was rejected/);
    t.like(recordIn(rejected.work, "decision.json"), { state: "rejected" });

    g.desk.decision = null;
    const expired = await runAction(g, { ...auth, step: "deploy-prod", timeout: "2s" });
    t.is(expired.code, EXIT.expired);
    t.is(expired.outputs.state, "expired");
    t.regex(expired.stdout, /::error title=shipgate::acme\/api\/deploy-prod expired/);

    const anonymous = await runAction(g, { broker: g.brokerUrl, step: "deploy-prod" });
    t.is(anonymous.code, EXIT.error, "no user name: anonymous, which the secured broker refuses");
    t.regex(anonymous.stdout, /exit code 3/);
    t.deepEqual(anonymous.outputs, {});
  } finally {
    await g.stop();
  }
});

test("GitHub Actions: the example workflow passes only inputs the action declares, and every required one", (t) => {
  const action = parse(readFileSync(path.join(INTEGRATIONS, "github-actions/action.yml"), "utf8")) as ActionYaml;
  const workflow = parse(readFileSync(path.join(INTEGRATIONS, "github-actions/example-workflow.yml"), "utf8")) as {
    jobs: Record<string, { steps: { uses?: string; with?: Record<string, unknown> }[] }>;
  };
  const uses = Object.values(workflow.jobs).flatMap((j) => j.steps).filter((s) => s.uses?.includes("integrations/github-actions"));
  t.is(uses.length, 1);
  const given = Object.keys(uses[0]?.with ?? {});
  for (const name of given) t.true(name in action.inputs, `input ${name}`);
  for (const [name, spec] of Object.entries(action.inputs)) if (spec.required) t.true(given.includes(name), `required input ${name}`);
  t.is(action.runs.using, "composite");
});

// ---------------------------------------------------------------------------------------------
// GitLab CI: the .shipgate-gate template's variables (GitLab expands $VARS in them) and script.

interface GitlabJob {
  variables: Record<string, string>;
  script: string[];
  artifacts: { when: string; paths: string[]; expire_in: string };
}

const GITLAB_CI = { CI_PROJECT_PATH: "acme/api", CI_JOB_NAME: "approve-prod", CI_COMMIT_REF_NAME: "main", CI_COMMIT_SHORT_SHA: "0123abcd", GITLAB_USER_LOGIN: "alice" };

function gitlabVars(job: GitlabJob, predefined: Record<string, string>, overrides: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(job.variables)) {
    out[name] = overrides[name] ?? String(value).replace(/\$\{?([A-Z_][A-Z0-9_]*)\}?/g, (_w, v: string) => predefined[v] ?? "");
  }
  return { ...out, ...overrides };
}

async function runGitlab(g: GateRig, shell: "bash" | "sh", overrides: Record<string, string> = {}) {
  const ci = parse(readFileSync(path.join(INTEGRATIONS, "gitlab/shipgate.gitlab-ci.yml"), "utf8")) as Record<string, GitlabJob>;
  const job = ci[".shipgate-gate"];
  if (job === undefined) throw new Error("no .shipgate-gate template");
  const work = mkdtempSync(path.join(tmpdir(), "gitlab-"));
  // The runner's bash and sh shells stop at the first failing script line (set -e; bash: -o pipefail).
  const script = (shell === "bash" ? "set -eo pipefail\n" : "set -e\n") + job.script.join("\n") + "\n";
  writeFileSync(path.join(work, "script.sh"), script);
  const env = { ...GITLAB_CI, ...gitlabVars(job, GITLAB_CI, overrides), ...credentials(g), PATH: `${binDir()}:${process.env.PATH}` };
  const ran = await run(shell, [path.join(work, "script.sh")], { env, cwd: work, timeoutMs: 90_000 });
  return { ...ran, work, job };
}

test.serial("GitLab CI: the job template's script approves, rejects and expires with gate's codes (bash and sh)", async (t) => {
  const g = await startGateRig();
  try {
    const approved = await runGitlab(g, "bash");
    t.is(approved.code, EXIT.approved, approved.stderr + approved.stdout);
    t.regex(approved.stdout, /shipgate: acme\/api\/approve-prod approved/);
    t.like(recordIn(approved.work), { pipeline: "acme/api", step: "approve-prod", state: "approved", decided_by: "gadget:desk-1" });
    t.is([...g.states.values()].find((l) => l.step === "approve-prod")?.summary, "main 0123abcd by alice");
    t.deepEqual(approved.job.artifacts, { when: "always", paths: ["$SHIPGATE_RECORD"], expire_in: "90 days" });

    g.desk.decision = "reject";
    const rejected = await runGitlab(g, "sh", { SHIPGATE_STEP: "deploy-prod" });
    t.is(rejected.code, EXIT.rejected);
    t.regex(rejected.stdout, /acme\/api\/deploy-prod was rejected/);
    t.like(recordIn(rejected.work), { step: "deploy-prod", state: "rejected" });

    g.desk.decision = null;
    const expired = await runGitlab(g, "sh", { SHIPGATE_TIMEOUT: "2s", SHIPGATE_SUMMARY: "" });
    t.is(expired.code, EXIT.expired);
    t.regex(expired.stdout, /expired: nobody decided in time/);
  } finally {
    await g.stop();
  }
});

// ---------------------------------------------------------------------------------------------
// Jenkins: the environment block, the sh script of the Approval stage, and the exit-code map.

function jenkinsfile() {
  const text = readFileSync(path.join(INTEGRATIONS, "jenkins/Jenkinsfile"), "utf8");
  const envBlock = /environment \{\n([\s\S]*?)\n  \}/.exec(text)?.[1] ?? "";
  const environment: Record<string, string> = {};
  for (const m of envBlock.matchAll(/^\s*([A-Z_]+) = (?:'([^']*)'|"([^"]*)")\s*$/gm)) environment[m[1] as string] = m[2] ?? m[3] ?? "";
  const script = /sh\(label: 'shipgate gate', returnStatus: true, script: '([^']*)'\)/.exec(text)?.[1];
  const exitMap: Record<number, string> = {};
  const mapText = /def SHIPGATE_EXIT = \[([^\]]*)\]/.exec(text)?.[1] ?? "";
  for (const m of mapText.matchAll(/(\d+): '([^']*)'/g)) exitMap[Number(m[1])] = m[2] as string;
  return { text, environment, script, exitMap };
}

async function runJenkins(g: GateRig, overrides: Record<string, string> = {}) {
  const { environment, script } = jenkinsfile();
  if (script === undefined) throw new Error("no shipgate sh step in the Jenkinsfile");
  const jenkinsEnv: Record<string, string> = { JOB_NAME: "acme/api", BRANCH_NAME: "main", BUILD_NUMBER: "17" };
  const env: NodeJS.ProcessEnv = { ...jenkinsEnv, PATH: `${binDir()}:${process.env.PATH}` };
  // Groovy's "${env.X}" interpolation, done as Jenkins does before the shell sees the value.
  for (const [k, v] of Object.entries(environment)) env[k] = v.replace(/\$\{env\.([A-Z_]+)\}/g, (_w, n: string) => jenkinsEnv[n] ?? "null");
  Object.assign(env, credentials(g), overrides);
  const work = mkdtempSync(path.join(tmpdir(), "jenkins-"));
  // Jenkins runs an sh step as `/bin/sh -xe` (Pipeline: Nodes and Processes, "sh").
  const ran = await run("/bin/sh", ["-xe", "-c", script], { env, cwd: work, timeoutMs: 90_000 });
  return { ...ran, work };
}

test.serial("Jenkins: the Approval stage's sh script exits with gate's codes, and the stage maps each one", async (t) => {
  const { exitMap, environment } = jenkinsfile();
  t.deepEqual(Object.keys(exitMap).map(Number).sort(), Object.values(EXIT).filter((c) => c !== 0).sort(), "a message for every failing exit code of gate");
  t.regex(exitMap[EXIT.rejected] ?? "", /rejected/);
  t.regex(exitMap[EXIT.expired] ?? "", /expired/);
  t.is(environment.SHIPGATE_RECORD, "shipgate-record.json");
  const g = await startGateRig();
  try {
    const approved = await runJenkins(g);
    t.is(approved.code, EXIT.approved, approved.stderr);
    t.like(recordIn(approved.work), { pipeline: "acme/api", step: "deploy-prod", state: "approved" });
    t.is([...g.states.values()].find((l) => l.pipeline === "acme/api")?.summary, "main #17");

    g.desk.decision = "reject";
    const rejected = await runJenkins(g);
    t.is(rejected.code, EXIT.rejected);
    t.like(recordIn(rejected.work), { state: "rejected" });

    g.desk.decision = null;
    const expired = await runJenkins(g, { SHIPGATE_TIMEOUT: "2s" });
    t.is(expired.code, EXIT.expired);
    t.like(recordIn(expired.work), { state: "expired", decided_by: "timeout" });
  } finally {
    await g.stop();
  }
});
