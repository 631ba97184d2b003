// The one error a bad configuration gives: the file (or "environment"), the key path and the reason,
// printed by `shipgate start` as `invalid config: <file>: <key>: <reason>` before anything listens.

export class ConfigError extends Error {
  readonly code = "CONFIG_INVALID";
  constructor(
    readonly file: string,
    readonly key: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`${file}: ${key === "" ? "" : key + ": "}${reason}`, options);
    this.name = "ConfigError";
  }
}
