// Reads the Argo CD secret the config points at: an environment variable or a file (a mounted
// Kubernetes secret, a file only the bridge's user can read). Read once at start; a missing or
// empty secret is a ConfigError naming the key, before anything connects.

import { readFileSync } from "node:fs";
import { ConfigError } from "../config";
import type { Credentials } from "./client";
import type { ArgoAuthConfig } from "./config";

function secret(file: string, keyBase: string, source: { env: string | null; file: string | null }, env: NodeJS.ProcessEnv, what: string): string {
  if (source.env !== null) {
    const value = env[source.env]?.trim() ?? "";
    if (value === "") throw new ConfigError(file, `${keyBase}_env`, `environment variable ${source.env} holds no ${what}`);
    return value;
  }
  const path = source.file ?? "";
  let value: string;
  try {
    value = readFileSync(path, "utf8").trim();
  } catch (err) {
    throw new ConfigError(file, `${keyBase}_file`, `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err });
  }
  if (value === "") throw new ConfigError(file, `${keyBase}_file`, `${path} is empty`);
  return value;
}

export function readCredentials(configFile: string, auth: ArgoAuthConfig, env: NodeJS.ProcessEnv): Credentials {
  if (auth.kind === "token") return { kind: "token", token: secret(configFile, "argocd.token", auth, env, "Argo CD API token") };
  return { kind: "password", username: auth.username, password: secret(configFile, "argocd.password", auth, env, "password") };
}
