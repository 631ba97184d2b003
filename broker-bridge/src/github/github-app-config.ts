// The `github_app` section of the bridge's config (docs/github.md): the GitHub App whose webhook
// the bridge is, for custom deployment protection rules.
//   github_app:
//     app_id: 123456
//     private_key_file: /etc/shipgate/github-app.pem     # the app's private key (PEM)
//     webhook_secret_file: /etc/shipgate/github-webhook-secret
//     api_url: https://api.github.com                    # GitHub Enterprise: https://HOST/api/v3
// Relative paths are relative to the config file. Both files are read at start; a missing or
// unreadable file is a config error naming the key.

import { type KeyObject, createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Checked } from "@shipgate/protocol";
import { type ConfigSection, checkWith, filePath, integer, optional, required, section, settings, text } from "../config-schema";

export interface GitHubAppSettings {
  appId: number;
  privateKey: KeyObject;
  webhookSecret: string;
  /** Without a trailing slash. */
  apiUrl: string;
}

export const GITHUB_API_URL = "https://api.github.com";

export const gitHubAppSchema = section(
  settings({
    app_id: required(integer(1, Number.MAX_SAFE_INTEGER), { type: "integer", description: 'the GitHub App\'s id (its settings page, "App ID")' }),
    private_key_file: required(filePath(), { type: "file path", description: "the app's RSA private key (PEM), read at start" }),
    webhook_secret_file: required(filePath(), { type: "file path", description: "the app's webhook secret (at least 16 characters), read at start" }),
    api_url: optional(text({ min: 1, max: 2048, pattern: /^https?:\/\/[^\s]+$/, patternText: "an http(s) URL" }), GITHUB_API_URL, {
      type: "URL",
      description: "GitHub's REST API; GitHub Enterprise Server: https://HOST/api/v3",
    }),
  }),
);

export const GITHUB_APP_SECTION: ConfigSection = { key: "github_app", document: "[github.md](github.md): deployment protection rules", schema: gitHubAppSchema };

function reason(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
}

/** null when the section is absent. `base` is the config file's folder. */
export function checkGitHubAppSection(value: unknown, at: string, base: string): Checked<GitHubAppSettings | null> {
  if (value === undefined || value === null) return { ok: true, value: null };
  const checked = checkWith(gitHubAppSchema, value, at, { base, env: {} });
  if (!checked.ok) return checked;
  const { app_id, private_key_file, webhook_secret_file, api_url } = checked.value;
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readFileSync(private_key_file, "utf8"));
  } catch (err) {
    return { ok: false, field: `${at}.private_key_file`, error: `cannot read a PEM private key from ${private_key_file} (${reason(err)})` };
  }
  if (privateKey.asymmetricKeyType !== "rsa") return { ok: false, field: `${at}.private_key_file`, error: "must be the app's RSA private key (GitHub signs app JWTs with RS256)" };
  let webhookSecret: string;
  try {
    webhookSecret = readFileSync(webhook_secret_file, "utf8").trim();
  } catch (err) {
    return { ok: false, field: `${at}.webhook_secret_file`, error: `cannot read ${webhook_secret_file} (${reason(err)})` };
  }
  if (webhookSecret.length < 16) return { ok: false, field: `${at}.webhook_secret_file`, error: "the webhook secret must have at least 16 characters" };
  return { ok: true, value: { appId: app_id, privateKey, webhookSecret, apiUrl: api_url.replace(/\/+$/, "") } };
}
