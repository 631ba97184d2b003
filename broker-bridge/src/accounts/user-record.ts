// A user as the credentials file and the shared store keep it: its role, its password in both
// hash formats, its API tokens and, for a pipeline user, its pipelines.

export const USER_ROLES = ["admin", "pipeline", "gadget", "viewer", "bridge"] as const;
export type UserRole = (typeof USER_ROLES)[number];

export interface ApiToken {
  id: string;
  /** SHA-256 of the token's secret part, hex. */
  hash: string;
  created_at: string;
}

export interface UserRecord {
  username: string;
  role: UserRole;
  /** scrypt$N$r$p$salt$hash (passwords.ts). */
  password: string;
  /** The same password in Mosquitto's password_file format, for `shipgate user export-mosquitto`. */
  mosquitto: string;
  created_at: string;
  tokens: ApiToken[];
  /** A pipeline user's pipelines (globs); absent means only the pipeline named like the user. */
  pipelines?: string[];
  /** Random per add: a session or token made for an earlier user of the same name is not this one's. */
  uid?: string;
}
