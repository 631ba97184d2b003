// The GitHub Action, the GitLab CI job template and the Jenkins stage cannot run their CI systems
// here. Instead each test runs what the template holds (the action's main file as the runner starts
// it, the job's `script:`, the stage's `sh` script), sets the environment the template defines
// (with the CI system's own variables filled in), runs them with the shell that CI system uses,
// against a real bridge whose gadget decides. A drift in flags or exit handling fails here.
import test, { type ExecutionContext } from "ava";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { EXIT } from "../src/cli/gate";
import { type GateRig, run, startGateRig } from "./integrations-support";

const INTEGRATIONS = fileURLToPath(new URL("../../integrations/", import.meta.url));

/**
 * GitLab and Jenkins fetch the self-contained gate file from the release URL their template names.
 * A loopback server answers for that host: the URL's path gets the committed file, anything else
 * 404. Returns the URL to use instead of the template's, with the same path.
 */
async function serveGateFile(t: ExecutionContext, templateUrl: string): Promise<string> {
  const wanted = new URL(templateUrl).pathname;
  const server = createServer((req, res) => {
    if (req.url !== wanted) return void res.writeHead(404).end("not found\n");
    res.writeHead(200, { "content-type": "application/javascript" }).end(readFileSync(path.join(INTEGRATIONS, "github-actions/shipgate-gate.cjs")));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.teardown(() => void server.close());
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}${wanted}`;
}

/** PATH without any `shipgate`: the templates must run the fetched file, not an installed command. */
const PATH_WITHOUT_SHIPGATE = path.dirname(process.execPath) + ":/usr/bin:/bin";

function credentials(g: GateRig): NodeJS.ProcessEnv {
  return { SHIPGATE_BROKER_URL: g.brokerUrl, SHIPGATE_USERNAME: g.pipelineUser.username, SHIPGATE_PASSWORD: g.pipelineUser.password };
}

function recordIn(dir: string, file = "shipgate-record.json"): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(dir, file), "utf8")) as Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// GitHub Actions: the JavaScript action's main file, run as the runner runs it: `node <main>` in
// the workspace, every input as INPUT_<NAME> (defaults with ${{ github.* }} filled in), and
// outputs read back from the $GITHUB_OUTPUT file in GitHub's `name<<delimiter` syntax.

interface ActionYaml {
  inputs: Record<string, { required?: boolean; default?: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
}

const GITHUB = { repository: "acme/api", ref_name: "main", sha: "0123456789abcdef", actor: "alice" };

function expand(text: string, contexts: Record<string, Record<string, string>>): string {
  return text.replace(/\$\{\{\s*([a-z_]+)\.([A-Za-z0-9_-]+)\s*\}\}/g, (whole, ctx: string, key: string) => {
    const value = contexts[ctx]?.[key];
    if (value === undefined) throw new Error(`the action uses ${whole}, which this test does not provide`);
    return value;
  });
}

/** Parses $GITHUB_OUTPUT: `name=value` lines and `name<<DELIM` ... `DELIM` blocks. */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2] as string, i + 1);
      if (end < 0) throw new Error(`output ${heredoc[1]} has no closing ${heredoc[2]}`);
      out[heredoc[1] as string] = lines.slice(i + 1, end).join("\n");
      i = end;
    } else if (line.includes("=")) out[line.slice(0, line.indexOf("="))] = line.slice(line.indexOf("=") + 1);
  }
  return out;
}

async function runAction(_g: GateRig, withInputs: Record<string, string>) {
  const action = parse(readFileSync(path.join(INTEGRATIONS, "github-actions/action.yml"), "utf8")) as ActionYaml;
  const work = mkdtempSync(path.join(tmpdir(), "gha-"));
  const output = path.join(work, "github-output");
  writeFileSync(output, "");
  // What the runner gives a node action: GITHUB_* variables and INPUT_<NAME> per input.
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: work, GITHUB_ACTIONS: "true", CI: "true", GITHUB_OUTPUT: output, GITHUB_WORKSPACE: work };
  for (const [name, spec] of Object.entries(action.inputs)) {
    if (spec.required && withInputs[name] === undefined) throw new Error(`input ${name} is required`);
    env[`INPUT_${name.toUpperCase()}`] = withInputs[name] ?? expand(String(spec.default ?? ""), { github: GITHUB });
  }
  for (const name of Object.keys(withInputs)) if (!(name in action.inputs)) throw new Error(`the action has no input ${name}`);
  if (action.runs.using !== "node20" && action.runs.using !== "node24") throw new Error(`the action runs with ${action.runs.using}; this test runs it as a node action`);
  // The runner downloads the action into its own directory (_actions/owner/repo/ref/...), far from
  // any node_modules: a copy of the action's folder outside the repository proves the file is
  // self-contained.
  const actionDir = mkdtempSync(path.join(tmpdir(), "gha-action-"));
  cpSync(path.join(INTEGRATIONS, "github-actions"), actionDir, { recursive: true });
  const main = path.join(actionDir, action.runs.main);
  const ran = await run(process.execPath, [main], { env, cwd: work, timeoutMs: 90_000 });
  const outputs = parseOutputs(readFileSync(output, "utf8"));
  for (const name of Object.keys(outputs)) if (!(name in action.outputs)) throw new Error(`the action wrote output ${name}, which action.yml does not declare`);
  return { ...ran, outputs, work, action };
}

test.serial("GitHub Actions: the JavaScript action, run as the runner runs it, exits with gate's code and sets its outputs", async (t) => {
  const g = await startGateRig();
  try {
    const auth = { broker: g.brokerUrl, username: g.pipelineUser.username, password: g.pipelineUser.password };
    const approved = await runAction(g, { ...auth, step: "deploy-prod" });
    t.is(approved.code, EXIT.approved, approved.stderr + approved.stdout);
    t.deepEqual(approved.outputs, { state: "approved", "decided-by": "gadget:desk-1", record: "shipgate-record.json" });
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
  const uses = Object.values(workflow.jobs)
    .flatMap((j) => j.steps)
    .filter((s) => s.uses?.includes("integrations/github-actions"));
  t.is(uses.length, 1);
  const given = Object.keys(uses[0]?.with ?? {});
  for (const name of given) t.true(name in action.inputs, `input ${name}`);
  for (const [name, spec] of Object.entries(action.inputs)) if (spec.required) t.true(given.includes(name), `required input ${name}`);
  t.is(action.runs.using, "node20");
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

async function runGitlab(g: GateRig, gateUrl: string, shell: "bash" | "sh", overrides: Record<string, string> = {}) {
  const ci = parse(readFileSync(path.join(INTEGRATIONS, "gitlab/shipgate.gitlab-ci.yml"), "utf8")) as Record<string, GitlabJob>;
  const job = ci[".shipgate-gate"];
  if (job === undefined) throw new Error("no .shipgate-gate template");
  const work = mkdtempSync(path.join(tmpdir(), "gitlab-"));
  // The runner's bash and sh shells stop at the first failing script line (set -e; bash: -o pipefail).
  const script = (shell === "bash" ? "set -eo pipefail\n" : "set -e\n") + job.script.join("\n") + "\n";
  writeFileSync(path.join(work, "script.sh"), script);
  const env = { ...GITLAB_CI, ...gitlabVars(job, GITLAB_CI, { SHIPGATE_GATE_URL: gateUrl, ...overrides }), ...credentials(g), PATH: PATH_WITHOUT_SHIPGATE };
  const ran = await run(shell, [path.join(work, "script.sh")], { env, cwd: work, timeoutMs: 90_000 });
  return { ...ran, work, job };
}

test.serial("GitLab CI: the job template's script approves, rejects and expires with gate's codes (bash and sh)", async (t) => {
  const job = (parse(readFileSync(path.join(INTEGRATIONS, "gitlab/shipgate.gitlab-ci.yml"), "utf8")) as Record<string, GitlabJob>)[".shipgate-gate"];
  const gateUrl = await serveGateFile(t, job?.variables.SHIPGATE_GATE_URL ?? "");
  const g = await startGateRig();
  try {
    const missing = await runGitlab(g, gateUrl.replace("shipgate-gate.cjs", "nothing.cjs"), "bash");
    t.not(missing.code, EXIT.approved, "a gate file that cannot be fetched fails the job");
    const approved = await runGitlab(g, gateUrl, "bash");
    t.is(approved.code, EXIT.approved, approved.stderr + approved.stdout);
    t.regex(approved.stdout, /shipgate: acme\/api\/approve-prod approved/);
    t.like(recordIn(approved.work), { pipeline: "acme/api", step: "approve-prod", state: "approved", decided_by: "gadget:desk-1" });
    t.is([...g.states.values()].find((l) => l.step === "approve-prod")?.summary, "main 0123abcd by alice");
    t.deepEqual(approved.job.artifacts, { when: "always", paths: ["$SHIPGATE_RECORD"], expire_in: "90 days" });

    g.desk.decision = "reject";
    const rejected = await runGitlab(g, gateUrl, "sh", { SHIPGATE_STEP: "deploy-prod" });
    t.is(rejected.code, EXIT.rejected);
    t.regex(rejected.stdout, /acme\/api\/deploy-prod was rejected/);
    t.like(recordIn(rejected.work), { step: "deploy-prod", state: "rejected" });

    g.desk.decision = null;
    const expired = await runGitlab(g, gateUrl, "sh", { SHIPGATE_TIMEOUT: "2s", SHIPGATE_SUMMARY: "" });
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
  const envBlock = /environment \{\n([\s\S]*?)\n {2}\}/.exec(text)?.[1] ?? "";
  const environment: Record<string, string> = {};
  for (const m of envBlock.matchAll(/^\s*([A-Z_]+) = (?:'([^']*)'|"([^"]*)")\s*$/gm)) environment[m[1] as string] = m[2] ?? m[3] ?? "";
  const script = /sh\(label: 'shipgate gate', returnStatus: true, script: '([^']*)'\)/.exec(text)?.[1];
  const exitMap: Record<number, string> = {};
  const mapText = /def SHIPGATE_EXIT = \[([^\]]*)\]/.exec(text)?.[1] ?? "";
  for (const m of mapText.matchAll(/(\d+): '([^']*)'/g)) exitMap[Number(m[1])] = m[2] as string;
  return { text, environment, script, exitMap };
}

async function runJenkins(g: GateRig, gateUrl: string, overrides: Record<string, string> = {}) {
  const { environment, script } = jenkinsfile();
  if (script === undefined) throw new Error("no shipgate sh step in the Jenkinsfile");
  const jenkinsEnv: Record<string, string> = { JOB_NAME: "acme/api", BRANCH_NAME: "main", BUILD_NUMBER: "17" };
  const env: NodeJS.ProcessEnv = { ...jenkinsEnv, PATH: PATH_WITHOUT_SHIPGATE };
  // Groovy's "${env.X}" interpolation, done as Jenkins does before the shell sees the value.
  for (const [k, v] of Object.entries(environment)) env[k] = v.replace(/\$\{env\.([A-Z_]+)\}/g, (_w, n: string) => jenkinsEnv[n] ?? "null");
  Object.assign(env, credentials(g), { SHIPGATE_GATE_URL: gateUrl }, overrides);
  const work = mkdtempSync(path.join(tmpdir(), "jenkins-"));
  // Jenkins runs an sh step as `/bin/sh -xe` (Pipeline: Nodes and Processes, "sh").
  const ran = await run("/bin/sh", ["-xe", "-c", script], { env, cwd: work, timeoutMs: 90_000 });
  return { ...ran, work };
}

test.serial("Jenkins: the Approval stage's sh script exits with gate's codes, and the stage maps each one", async (t) => {
  const { exitMap, environment } = jenkinsfile();
  t.deepEqual(
    Object.keys(exitMap).map(Number).sort(),
    Object.values(EXIT)
      .filter((c) => c !== 0)
      .sort(),
    "a message for every failing exit code of gate",
  );
  t.regex(exitMap[EXIT.rejected] ?? "", /rejected/);
  t.regex(exitMap[EXIT.expired] ?? "", /expired/);
  t.is(environment.SHIPGATE_RECORD, "shipgate-record.json");
  const gateUrl = await serveGateFile(t, environment.SHIPGATE_GATE_URL ?? "");
  const g = await startGateRig();
  try {
    const approved = await runJenkins(g, gateUrl);
    t.is(approved.code, EXIT.approved, approved.stderr);
    t.like(recordIn(approved.work), { pipeline: "acme/api", step: "deploy-prod", state: "approved" });
    t.is([...g.states.values()].find((l) => l.pipeline === "acme/api")?.summary, "main #17");

    g.desk.decision = "reject";
    const rejected = await runJenkins(g, gateUrl);
    t.is(rejected.code, EXIT.rejected);
    t.like(recordIn(rejected.work), { state: "rejected" });

    g.desk.decision = null;
    const expired = await runJenkins(g, gateUrl, { SHIPGATE_TIMEOUT: "2s" });
    t.is(expired.code, EXIT.expired);
    t.like(recordIn(expired.work), { state: "expired", decided_by: "timeout" });
  } finally {
    await g.stop();
  }
});
