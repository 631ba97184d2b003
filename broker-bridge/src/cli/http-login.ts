// How a command reaches the bridge's HTTP API as a person: --url, $SHIPGATE_HTTP_URL, or the local
// dashboard port; an API token ($SHIPGATE_API_TOKEN) or a session opened with the same credentials
// as the MQTT commands (flags, environment, or the local admin in the state directory).

import { type ConnectionFlags, UsageError, resolveConnection } from "./connection";

export interface HttpSession {
  base: string;
  headers: Record<string, string>;
}

export function httpBase(url: string | undefined, env: NodeJS.ProcessEnv): string {
  const base = url ?? env.SHIPGATE_HTTP_URL ?? `http://127.0.0.1:${env.SHIPGATE_HTTP_PORT ?? "8080"}`;
  try {
    const u = new URL(base);
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error("not http");
  } catch {
    throw new UsageError(`--url must be an http:// or https:// URL, got "${base}"`);
  }
  return base.replace(/\/+$/, "");
}

export async function openHttpSession(url: string | undefined, flags: ConnectionFlags, env: NodeJS.ProcessEnv): Promise<HttpSession> {
  const base = httpBase(url, env);
  if (env.SHIPGATE_API_TOKEN) return { base, headers: { authorization: `Bearer ${env.SHIPGATE_API_TOKEN}` } };
  const conn = resolveConnection(flags, env);
  if (conn.username === undefined || conn.password === undefined) {
    throw new UsageError("no credentials: pass --username and --password-file, set SHIPGATE_API_TOKEN, or run on the bridge's machine");
  }
  let res: Response;
  try {
    res = await fetch(`${base}/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: conn.username, password: conn.password }),
    });
  } catch (err) {
    throw new Error(`cannot reach the bridge's HTTP API at ${base} (${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message})`);
  }
  if (!res.ok) throw new Error(`POST ${base}/api/session answered ${res.status}: ${await errorText(res)}`);
  const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  if (cookie === "") throw new Error(`POST ${base}/api/session gave no session cookie`);
  return { base, headers: { cookie } };
}

export async function errorText(res: Response): Promise<string> {
  const text = await res.text().catch(() => "");
  try {
    const body = JSON.parse(text) as { error?: string };
    return body.error ?? text;
  } catch {
    return text.slice(0, 200);
  }
}
