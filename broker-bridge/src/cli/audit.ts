// `shipgate audit`: the audit log for export, streamed from GET /api/audit.csv or .jsonl with an
// admin's (or viewer's) login, written out as the rows arrive.

import { parseArgs } from "node:util";
import type { AuditRow } from "../audit/audit-row";
import { tableHeader, tableLine } from "../audit/audit-format";
import { parseActionPrefix, parseSince } from "../audit/audit-query";
import { errorText, openHttpSession } from "./http-login";
import type { Io } from "./io";

export const AUDIT_HELP = `Usage: shipgate audit [--since DURATION|ISO] [--action PREFIX] [--format table|csv|jsonl] [options]

Prints the audit log, oldest first: every decision, mode change, sync, login and refusal.

Options:
  --since WHEN          rows from then on: a duration back from now (24h, 7d) or an ISO-8601 time
  --action PREFIX       rows whose action starts with PREFIX (lock. for lock.approve, lock.reject...)
  --format F            table (default), csv (RFC 4180, a header line) or jsonl (one JSON object a line)
  --url URL             the bridge's HTTP API (default: $SHIPGATE_HTTP_URL or http://127.0.0.1:8080)
  --username U          an admin or viewer (default: $SHIPGATE_API_TOKEN, or the local admin)
  --password-file F     file holding the password
  --help                show this help`;

const FORMATS = ["table", "csv", "jsonl"] as const;

export async function auditCommand(argv: string[], io: Io): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: argv,
      options: {
        since: { type: "string" },
        action: { type: "string" },
        format: { type: "string" },
        url: { type: "string" },
        broker: { type: "string" },
        username: { type: "string" },
        "password-file": { type: "string" },
        help: { type: "boolean" },
      },
      strict: true,
    }).values;
  } catch (err) {
    return (io.err(`shipgate audit: ${(err as Error).message}\n\n${AUDIT_HELP}`), 3);
  }
  if (values.help) return (io.out(AUDIT_HELP), 0);
  const format = (values.format ?? "table") as (typeof FORMATS)[number];
  if (!FORMATS.includes(format)) return (io.err(`shipgate audit: --format must be table, csv or jsonl, got "${values.format}"`), 3);
  const query = new URLSearchParams();
  try {
    if (typeof values.since === "string") {
      parseSince(values.since, Date.now());
      query.set("since", values.since);
    }
    if (typeof values.action === "string") query.set("action", parseActionPrefix(values.action));
  } catch (err) {
    return (io.err(`shipgate audit: --${(err as Error).message}`), 3);
  }
  try {
    const flags = { username: values.username as string | undefined, "password-file": values["password-file"] as string | undefined };
    const session = await openHttpSession(values.url as string | undefined, flags, io.env);
    const url = `${session.base}/api/audit.${format === "csv" ? "csv" : "jsonl"}?${query}`;
    const res = await fetch(url, { headers: session.headers });
    if (!res.ok || res.body === null) return (io.err(`shipgate audit: GET ${url} answered ${res.status}: ${await errorText(res)}`), 1);
    if (format === "table") io.out(tableHeader());
    await forEachChunk(res.body, format, io);
    return 0;
  } catch (err) {
    return (io.err(`shipgate audit: ${(err as Error).message}`), 3);
  }
}

/** Copies csv/jsonl through as it arrives; a table is made line by line from the JSON lines. */
async function forEachChunk(body: ReadableStream<Uint8Array>, format: string, io: Io): Promise<void> {
  const decoder = new TextDecoder();
  let pending = "";
  const emit = (text: string, final: boolean) => {
    if (format !== "table" && io.write) return io.write(text);
    pending += text;
    const lines = pending.split("\n");
    pending = final ? "" : (lines.pop() ?? "");
    for (const line of lines) {
      if (line === "") continue;
      io.out(format === "table" ? tableLine(JSON.parse(line) as AuditRow) : line.replace(/\r$/, ""));
    }
  };
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) emit(decoder.decode(chunk, { stream: true }), false);
  emit(decoder.decode(), true);
}
