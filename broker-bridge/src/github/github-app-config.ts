// The `github_app` section of the bridge's config (docs/github.md): the GitHub App whose webhook
// the bridge is, for custom deployment protection rules.
//   github_app:
//     app_id: 123456
//     private_key_file: /etc/shipgate/github-app.pem     # the app's private key (PEM)
//     webhook_secret_file: /etc/shipgate/github-webhook-secret
//     api_url: https://api.github.com                    # GitHub Enterprise: https://HOST/api/v3
// Relative paths are relative to the config file. Both files are read at start; a missing or
// unreadable file is a config error naming the key.

import { createPrivateKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { type Checked, Fields, object } from "@shipgate/protocol";
import { unknownKey } from "../config";

export interface GitHubAppSettings {
  appId: number;
  privateKey: KeyObject;
  webhookSecret: string;
  /** Without a trailing slash. */
  apiUrl: string;
}

export const GITHUB_API_URL = "https://api.github.com";

export function checkGitHubAppSection(value: unknown, at: string, base: string): Checked<GitHubAppSettings | null> {
  if (value === undefined || value === null) return { ok: true, value: null };
  const f = object(value, at);
  if (!(f instanceof Fields)) return f;
  const unknown = unknownKey(value, at, ["app_id", "private_key_file", "webhook_secret_file", "api_url"]);
  if (unknown) return unknown;
  const appId = f.integer("app_id", 1, Number.MAX_SAFE_INTEGER);
  const keyFile = f.string("private_key_file", { min: 1, max: 4096 });
  const secretFile = f.string("webhook_secret_file", { min: 1, max: 4096 });
  const apiUrl = f.optionalString("api_url", { min: 1, max: 2048, pattern: /^https?:\/\/[^\s]+$/, patternText: "an http(s) URL" }) ?? GITHUB_API_URL;
  if (f.failure) return f.failure;
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readFileSync(path.resolve(base, keyFile), "utf8"));
  } catch (err) {
    return { ok: false, field: `${at}.private_key_file`, error: `cannot read a PEM private key from ${keyFile} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
  }
  if (privateKey.asymmetricKeyType !== "rsa") return { ok: false, field: `${at}.private_key_file`, error: "must be the app's RSA private key (GitHub signs app JWTs with RS256)" };
  let webhookSecret: string;
  try {
    webhookSecret = readFileSync(path.resolve(base, secretFile), "utf8").trim();
  } catch (err) {
    return { ok: false, field: `${at}.webhook_secret_file`, error: `cannot read ${secretFile} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
  }
  if (webhookSecret.length < 16) return { ok: false, field: `${at}.webhook_secret_file`, error: "the webhook secret must have at least 16 characters" };
  return { ok: true, value: { appId, privateKey, webhookSecret, apiUrl: apiUrl.replace(/\/+$/, "") } };
}
