// Size limits shared by both sides. The gadget has about 4,900 slots of heap and parses every
// payload it receives, so the bridge never sends it more than GADGET_VIEW_MAX_BYTES, and the
// bridge refuses anything larger than a message's limit before it parses a byte of it.

/** Largest lock request the bridge accepts (bytes of UTF-8 JSON). */
export const LOCK_REQUEST_MAX_BYTES = 4096;
/** Largest gadget event the bridge accepts. */
export const GADGET_EVENT_MAX_BYTES = 1024;
/** Largest view the bridge publishes to a gadget. */
export const GADGET_VIEW_MAX_BYTES = 2048;
/** Largest telemetry, status or presence payload. */
export const HEARTBEAT_MAX_BYTES = 1024;
/** Largest admin command payload (mode change, decision). */
export const COMMAND_MAX_BYTES = 2048;

export const ID_MAX = 64;
export const NAME_MAX = 100;
export const SUMMARY_MAX = 200;
export const REASON_MAX = 200;
/** A lock may wait at most a week; the bridge's default applies when timeout_s is absent. */
export const TIMEOUT_MAX_S = 7 * 24 * 3600;
