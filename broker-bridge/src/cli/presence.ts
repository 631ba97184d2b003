// `shipgate presence beat|list`: a node's heartbeat on presence/<node>, and who is there now (from
// the bridge's status, as `shipgate status` gets it). A node user may beat only as itself: the
// ACL gives presence/%u to viewers and pipelines, presence/+ to admins (security/acl.ts).

import { parseArgs } from "node:util";
import { NODE_ID_PATTERN, type PresenceBeat, checkPresenceBeat, encode } from "@shipgate/protocol";
import { parseDuration } from "../duration";
import type { NodePresence } from "../presence/presence-service";
import { sendAdmin } from "./admin";
import { connectOnce, resolveConnection } from "./connection";
import type { Io } from "./io";
import { formatNodes } from "./nodes-text";

const CONNECTION = `  --broker URL          broker URL (default: $SHIPGATE_BROKER_URL or mqtt://127.0.0.1:1883)
  --username U          the node's user (default: the local credentials in the state directory)
  --password-file F     file holding the password
  --help                show this help`;

export const PRESENCE_HELP = `Usage: shipgate presence beat --node ID [--part P] [--label TEXT] [--interval 60s] [--once] [--fact key=value ...]
       shipgate presence list [--json] [--part P]

beat   announces this node on presence/<ID>: once with --once (for a systemd timer), else every
       --interval until stopped (then "offline"; a lost connection says so through its Will).
       The bridge counts a node absent after three missed intervals.
list   who is there: every node with online and last_seen (an admin's command, like status).

Options:
  --node ID             the node's id: letters, digits, '_', '.', '-' (a non-admin user beats as itself)
  --part P              the part of the fleet it belongs to (web, db-eu)
  --label TEXT          a name for people
  --interval D          seconds between beats: 60s (default), 5m, 1 to 3600 s
  --once                beat once and exit
  --fact key=value      a fact to publish with the beat (repeatable, up to 16)
  --json                list: print JSON
${CONNECTION}`;

export async function presenceCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === "beat") return beatCommand(rest, io);
  if (sub === "list") return listCommand(rest, io);
  if (sub === "--help" || sub === "-h") return (io.out(PRESENCE_HELP), 0);
  return (io.err(`shipgate presence: give beat or list\n\n${PRESENCE_HELP}`), 3);
}

type Values = Record<string, string | boolean | string[] | undefined>;

function parse(io: Io, argv: string[], extra: Record<string, { type: "string" | "boolean"; multiple?: boolean }>): Values | null {
  try {
    return parseArgs({
      args: argv,
      strict: true,
      options: { broker: { type: "string" }, username: { type: "string" }, "password-file": { type: "string" }, help: { type: "boolean" }, ...extra },
    }).values as Values;
  } catch (err) {
    io.err(`shipgate presence: ${(err as Error).message}\n\n${PRESENCE_HELP}`);
    return null;
  }
}

/** The beat from the flags, checked by the protocol's own check, or the problem in words. */
export function beatFrom(values: Values): { node: string; intervalMs: number; beat: PresenceBeat } | string {
  const node = values.node;
  if (typeof node !== "string" || !NODE_ID_PATTERN.test(node)) return "--node is required: 1 to 64 letters, digits, '_', '.' or '-'";
  const intervalMs = parseDuration(typeof values.interval === "string" ? values.interval : "60s");
  if (intervalMs === undefined || intervalMs < 1000 || intervalMs > 3_600_000) return `--interval must be a duration from 1s to 1h, got "${values.interval}"`;
  const raw: Record<string, unknown> = { state: "online", interval_s: Math.round(intervalMs / 1000) };
  if (typeof values.label === "string") raw.label = values.label;
  if (typeof values.part === "string") raw.part = values.part;
  const facts: Record<string, string> = {};
  for (const fact of (values.fact as string[] | undefined) ?? []) {
    const eq = fact.indexOf("=");
    if (eq <= 0) return `--fact must be key=value, got "${fact}"`;
    facts[fact.slice(0, eq)] = fact.slice(eq + 1);
  }
  if (Object.keys(facts).length > 0) raw.facts = facts;
  const checked = checkPresenceBeat(raw);
  if (!checked.ok) return `--${checked.field.split(".")[0]}: ${checked.field.includes(".") ? `${checked.field.slice(checked.field.indexOf(".") + 1)} ` : ""}${checked.error}`;
  return { node, intervalMs, beat: checked.value };
}

async function beatCommand(argv: string[], io: Io): Promise<number> {
  const values = parse(io, argv, {
    node: { type: "string" },
    part: { type: "string" },
    label: { type: "string" },
    interval: { type: "string" },
    once: { type: "boolean" },
    fact: { type: "string", multiple: true },
  });
  if (values === null) return 3;
  if (values.help) return (io.out(PRESENCE_HELP), 0);
  const made = beatFrom(values);
  if (typeof made === "string") return (io.err(`shipgate presence beat: ${made}`), 3);
  const { node, intervalMs, beat } = made;
  try {
    const conn = resolveConnection(
      { broker: values.broker as string | undefined, username: values.username as string | undefined, "password-file": values["password-file"] as string | undefined },
      io.env,
    );
    const topic = conn.topics.presence(node);
    const offline = encode({ state: "offline", interval_s: beat.interval_s });
    const client = await connectOnce(conn, `shipgate-presence-${node}`, values.once ? {} : { will: { topic, payload: Buffer.from(offline), qos: 1, retain: false } });
    const send = () =>
      // QoS 1: the broker's PUBACK says it took the beat. A publish the ACL refuses closes the
      // connection on the embedded broker (MQTT 3.1.1 has no negative PUBACK); Mosquitto acks
      // and drops it (docs/security.md), so the first beat also waits at most ten seconds.
      new Promise<void>((resolve, reject) => {
        const closed = () => finish(new Error("the broker closed the connection"));
        const timer = setTimeout(() => finish(new Error("no PUBACK within 10 s")), 10_000);
        const finish = (err?: Error) => {
          clearTimeout(timer);
          client.off("close", closed);
          if (err) reject(err);
          else resolve();
        };
        client.once("close", closed);
        client.publishAsync(topic, Buffer.from(encode(beat)), { qos: 1 }).then(
          () => finish(),
          (err: Error) => finish(err),
        );
      });
    try {
      await send();
    } catch (err) {
      await client.endAsync(true).catch(() => {});
      return (io.err(`shipgate presence beat: the broker did not take the beat on ${topic}: ${(err as Error).message} (a non-admin user may beat only as --node <its user name>)`), 1);
    }
    if (values.once) {
      await client.endAsync();
      io.out(`beat ${node}${beat.part ? ` (${beat.part})` : ""} every ${beat.interval_s}s`);
      return 0;
    }
    io.out(`beating ${node} every ${beat.interval_s}s on ${topic}; Ctrl-C stops`);
    return await new Promise<number>((resolve) => {
      const timer = setInterval(() => void send().catch((err: Error) => io.err(`shipgate presence beat: ${err.message}`)), intervalMs);
      const stop = () => {
        clearInterval(timer);
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        client
          .publishAsync(topic, Buffer.from(offline), { qos: 1 })
          .catch(() => {})
          .finally(() => void client.endAsync().finally(() => resolve(0)));
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
  } catch (err) {
    return (io.err(`shipgate presence beat: ${(err as Error).message}`), 3);
  }
}

async function listCommand(argv: string[], io: Io): Promise<number> {
  const values = parse(io, argv, { json: { type: "boolean" }, part: { type: "string" } });
  if (values === null) return 3;
  if (values.help) return (io.out(PRESENCE_HELP), 0);
  try {
    const reply = await sendAdmin(
      io,
      { broker: values.broker as string | undefined, username: values.username as string | undefined, "password-file": values["password-file"] as string | undefined },
      "status",
      {},
    );
    if (!reply.ok) return (io.err(`shipgate presence list: ${reply.error ?? "refused"}`), 1);
    const status = reply.result as { nodes?: NodePresence[] };
    const nodes = (status.nodes ?? []).filter((n) => values.part === undefined || n.part === values.part);
    if (values.json) return (io.out(JSON.stringify(nodes, null, 2)), 0);
    io.out(formatNodes(nodes).join("\n") || "no nodes");
    return 0;
  } catch (err) {
    return (io.err(`shipgate presence list: ${(err as Error).message}`), 3);
  }
}
