// `shipgate approve|reject|mode|status`: admin commands sent to the bridge over MQTT as
// request/response (admin/<user>/<command>, answered on replies/<user>/<correlation>).

import { randomUUID } from "node:crypto";
import path from "node:path";
import { parseArgs } from "node:util";
import { type AdminCommandName, type AdminReply, MODES, type LockState, type ModeState, checkAdminReply, decode } from "@shipgate/protocol";
import { formatArgoStatus } from "../argocd/status-text";
import { formatDuration, parseDuration } from "../duration";
import type { NodePresence } from "../presence/presence-service";
import { LOCAL_CREDENTIALS, connectOnce, resolveConnection, stateDirFrom } from "./connection";
import { formatNodes } from "./nodes-text";
import type { Io } from "./io";

const CONNECTION_OPTIONS = `  --broker URL          broker URL (default: $SHIPGATE_BROKER_URL or mqtt://127.0.0.1:1883)
  --username U          an admin user (default: the local credentials in the state directory)
  --password-file F     file holding the password
  --help                show this help`;

export const APPROVE_HELP = `Usage: shipgate approve [LOCK_ID] [options]

Approves a lock as an admin (the head of the queue when no id is given). Audited like a gadget's.

Options:
${CONNECTION_OPTIONS}`;

export const REJECT_HELP = `Usage: shipgate reject [LOCK_ID] [--reason TEXT] [options]

Rejects a lock as an admin (the head of the queue when no id is given).

Options:
  --reason TEXT         why; shown to the pipeline
${CONNECTION_OPTIONS}`;

export const MODE_HELP = `Usage: shipgate mode default|released|blocked [--until ISO-8601|DURATION] [--reason TEXT] [options]

Sets the gate's mode. released approves every lock at once, blocked rejects every lock at once;
with --until the mode reverts to default then (e.g. --until 2h or --until 2026-11-23T09:00:00Z).

Options:
  --until WHEN          an ISO-8601 time or a duration from now
  --reason TEXT         why; shown on the gadgets and in the audit log
${CONNECTION_OPTIONS}`;

export const STATUS_HELP = `Usage: shipgate status [--json] [options]

Shows the mode, pending locks, gadgets with presence, and CI and Argo CD states.

Options:
  --json                print the whole status as JSON
${CONNECTION_OPTIONS}`;

const connectionArgs = {
  broker: { type: "string" },
  username: { type: "string" },
  "password-file": { type: "string" },
  help: { type: "boolean" },
} as const;

/** Sends one admin command and waits for its reply. */
export async function sendAdmin(
  io: Io,
  flags: { broker?: string | undefined; username?: string | undefined; "password-file"?: string | undefined },
  command: AdminCommandName,
  body: Record<string, unknown>,
  timeoutMs = 10_000,
): Promise<AdminReply> {
  const conn = resolveConnection(flags, io.env);
  const user = conn.username ?? "anonymous";
  const correlation = randomUUID();
  const client = await connectOnce(conn, `shipgate-cli-${correlation.slice(0, 8)}`);
  try {
    return await new Promise<AdminReply>((resolve, reject) => {
      const replyTopic = conn.topics.reply(user, correlation);
      const timer = setTimeout(() => reject(new Error(`the bridge did not answer within ${timeoutMs / 1000} s (is it running, and is ${user} an admin?)`)), timeoutMs);
      client.on("message", (topic, payload) => {
        if (topic !== replyTopic) return;
        clearTimeout(timer);
        const reply = decode(payload, 4 * 1024 * 1024, checkAdminReply);
        if (!reply.ok) return reject(new Error(`the bridge's answer is malformed: ${reply.field} ${reply.error}`));
        resolve(reply.value);
      });
      const send = () => client.publish(conn.topics.adminCommand(user, command), JSON.stringify({ ...body, correlation }), { qos: 1 });
      client.subscribe(replyTopic, { qos: 1 }, (err, granted) => {
        if (err || granted?.[0]?.qos === 128) {
          clearTimeout(timer);
          return reject(new Error(`user ${user} may not read admin replies (not an admin?)`));
        }
        send();
        // The bridge restarted before its reply reached us: ask again with the same correlation.
        // It is the command's request id, so the bridge answers with the original outcome and
        // acts at most once (docs/protocol.md, "Admin commands").
        client.on("connect", () => client.subscribe(replyTopic, { qos: 1 }, () => send()));
      });
    });
  } finally {
    await client.endAsync();
  }
}

function connectionFlags(args: ParsedArgs) {
  return { broker: args.values.broker, username: args.values.username, "password-file": args.values["password-file"] };
}

async function run(io: Io, name: string, _help: string, fn: () => Promise<number>, flags?: { username?: string | undefined }): Promise<number> {
  try {
    return await fn();
  } catch (err) {
    const message = (err as Error).message;
    io.err(`shipgate ${name}: ${message}`);
    // The local credentials belong to another bridge's state (another SHIPGATE_STATE_DIR, or a
    // state_dir in its config): say where they came from and where the running bridge says its are.
    if (/bad user name or password/.test(message) && flags?.username === undefined && io.env.SHIPGATE_USERNAME === undefined) {
      io.err(
        `shipgate ${name}: the credentials came from ${path.join(stateDirFrom(io.env), LOCAL_CREDENTIALS)}; point SHIPGATE_STATE_DIR at the state directory \`shipgate start\` printed ("state in ...")`,
      );
    }
    return 3;
  }
}

interface ParsedArgs {
  values: { [key: string]: string | boolean | undefined; broker?: string; username?: string; "password-file"?: string; help?: boolean };
  positionals: string[];
}

function parse(io: Io, name: string, help: string, argv: string[], extra: Record<string, { type: "string" | "boolean" }>): ParsedArgs | null {
  try {
    return parseArgs({ args: argv, options: { ...connectionArgs, ...extra }, allowPositionals: true, strict: true }) as ParsedArgs;
  } catch (err) {
    io.err(`shipgate ${name}: ${(err as Error).message}\n\n${help}`);
    return null;
  }
}

export async function decideCommand(decision: "approve" | "reject", argv: string[], io: Io): Promise<number> {
  const help = decision === "approve" ? APPROVE_HELP : REJECT_HELP;
  const args = parse(io, decision, help, argv, decision === "reject" ? { reason: { type: "string" } } : {});
  if (args === null) return 3;
  if (args.values.help) return (io.out(help), 0);
  if (args.positionals.length > 1) return (io.err(`shipgate ${decision}: give at most one lock id\n\n${help}`), 3);
  return run(
    io,
    decision,
    help,
    async () => {
      const body: Record<string, unknown> = { decision };
      if (args.positionals[0] !== undefined) body.id = args.positionals[0];
      if (typeof args.values.reason === "string") body.reason = args.values.reason;
      const reply = await sendAdmin(io, connectionFlags(args), "decide", body);
      if (!reply.ok) return (io.err(`shipgate ${decision}: ${reply.error ?? "refused"}`), 1);
      const lock = reply.result as LockState;
      io.out(`${lock.pipeline}/${lock.step} (${lock.id}) ${lock.state === "pending" ? `approved by you; needs ${lock.approvals_needed ?? 1} more` : lock.state}`);
      return 0;
    },
    connectionFlags(args),
  );
}

export async function modeCommand(argv: string[], io: Io): Promise<number> {
  const args = parse(io, "mode", MODE_HELP, argv, { until: { type: "string" }, reason: { type: "string" } });
  if (args === null) return 3;
  if (args.values.help) return (io.out(MODE_HELP), 0);
  const mode = args.positionals[0];
  if (args.positionals.length !== 1 || mode === undefined || !(MODES as readonly string[]).includes(mode)) {
    return (io.err(`shipgate mode: give one mode: default, released or blocked\n\n${MODE_HELP}`), 3);
  }
  const body: Record<string, unknown> = { mode };
  if (typeof args.values.until === "string") {
    const until = untilFrom(args.values.until, Date.now());
    if (until === null) return (io.err(`shipgate mode: --until must be an ISO-8601 time or a duration such as 2h, got "${args.values.until}"`), 3);
    body.until = until;
  }
  if (typeof args.values.reason === "string") body.reason = args.values.reason;
  return run(
    io,
    "mode",
    MODE_HELP,
    async () => {
      const reply = await sendAdmin(io, connectionFlags(args), "mode", body);
      if (!reply.ok) return (io.err(`shipgate mode: ${reply.error ?? "refused"}`), 1);
      const m = reply.result as ModeState;
      io.out(`mode ${m.mode}${m.until ? ` until ${m.until}` : ""}${m.reason ? ` (${m.reason})` : ""}`);
      return 0;
    },
    connectionFlags(args),
  );
}

/** An ISO-8601 time in UTC ("Z" form), from an ISO time or a duration from now. */
export function untilFrom(text: string, now: number): string | null {
  const ms = parseDuration(text);
  if (ms !== undefined) return new Date(now + ms).toISOString();
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text)) return null;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : new Date(at).toISOString();
}

export async function statusCommand(argv: string[], io: Io): Promise<number> {
  const args = parse(io, "status", STATUS_HELP, argv, { json: { type: "boolean" } });
  if (args === null) return 3;
  if (args.values.help) return (io.out(STATUS_HELP), 0);
  return run(
    io,
    "status",
    STATUS_HELP,
    async () => {
      const reply = await sendAdmin(io, connectionFlags(args), "status", {});
      if (!reply.ok) return (io.err(`shipgate status: ${reply.error ?? "refused"}`), 1);
      if (args.values.json) return (io.out(JSON.stringify(reply.result, null, 2)), 0);
      io.out(formatStatus(reply.result as Record<string, unknown>, Date.now()));
      return 0;
    },
    connectionFlags(args),
  );
}

export function formatStatus(status: Record<string, unknown>, now: number): string {
  const lines: string[] = [];
  const bridge = status.bridge as { role?: string; id?: string; since?: string; leader?: { id: string; since: string } | null } | undefined;
  if (bridge?.role !== undefined) lines.push(`bridge: ${bridgeLine(bridge as { role: string; id: string; since: string; leader?: { id: string; since: string } | null }, now)}`);
  const mode = status.mode as ModeState | undefined;
  if (mode) lines.push(`mode: ${mode.mode}${mode.until ? ` until ${mode.until}` : ""}${mode.reason ? ` (${mode.reason})` : ""} — set by ${mode.changed_by}`);
  const locks = (status.locks as LockState[] | undefined) ?? [];
  lines.push(`pending locks: ${locks.length}`);
  for (const l of locks) {
    const waited = formatDuration(now - Date.parse(l.requested_at));
    lines.push(`  ${l.position ?? "-"}. ${l.pipeline}/${l.step} ${l.summary ? `"${l.summary}" ` : ""}waiting ${waited} (${l.id})${l.reason ? ` — ${l.reason}` : ""}`);
  }
  const gadgets = (status.gadgets as { id: string; online: boolean; last_seen: string | null }[] | undefined) ?? [];
  lines.push(`gadgets: ${gadgets.length === 0 ? "none" : ""}`);
  for (const g of gadgets) lines.push(`  ${g.id}: ${g.online ? "online" : "offline"}${g.last_seen ? ` (last seen ${g.last_seen})` : ""}`);
  const nodes = (status.nodes as NodePresence[] | undefined) ?? [];
  if (nodes.length > 0) {
    const online = nodes.filter((n) => n.online).length;
    lines.push(`nodes: ${online} of ${nodes.length} online`);
    lines.push(...formatNodes(nodes));
  }
  const ci = status.ci as { pipelines?: { name: string; provider: string; health: string; fresh: boolean; failing?: string | null; last_error?: string | null }[] } | undefined;
  if (ci?.pipelines !== undefined) {
    lines.push(`ci: ${ci.pipelines.length === 0 ? "no pipelines watched" : ""}`);
    for (const p of ci.pipelines) {
      lines.push(`  ${p.name} (${p.provider}): ${p.fresh ? p.health : "unknown (no fresh data)"}${p.last_error ? ` — last error: ${p.last_error}` : ""}`);
    }
  }
  const counters = status.counters as Record<string, { text: string; value?: number } | null> | undefined;
  for (const [name, view] of Object.entries(counters ?? {})) lines.push(`counter ${name}: ${view === null ? "no data" : `${view.value ?? "-"} ${view.text}`}`);
  if (status.argocd !== undefined) lines.push(...formatArgoStatus(status.argocd));
  const security = status.security as { users?: Record<string, number> } | undefined;
  if (security?.users !== undefined)
    lines.push(
      `users: ${
        Object.entries(security.users)
          .map(([role, n]) => `${n} ${role}`)
          .join(", ") || "none"
      }`,
    );
  for (const key of Object.keys(status)) {
    if (["mode", "locks", "gadgets", "views", "bridge", "nodes", "argocd", "ci", "counters", "security"].includes(key)) continue;
    lines.push(`${key}: ${JSON.stringify(status[key])}`);
  }
  return lines.join("\n");
}

/** Who leads and since when (docs/deploy-ha.md); a single bridge says so. */
function bridgeLine(b: { role: string; id: string; since: string; leader?: { id: string; since: string } | null }, now: number): string {
  const since = (iso: string) => `since ${iso} (${formatDuration(now - Date.parse(iso))})`;
  if (b.role === "leader") return `${b.id} leads ${since(b.since)}`;
  if (b.role === "standby") return `${b.id} is a standby; ${b.leader ? `${b.leader.id} leads ${since(b.leader.since)}` : "no bridge leads right now"}`;
  return `${b.id}, the only bridge (no lease), up ${since(b.since)}`;
}
