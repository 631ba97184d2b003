// The shipgate protocol: one definition of each message, used by the gadget and the bridge.
export * from "./check";
export * from "./limits";
export * from "./messages";
export * from "./topics";
export * from "./codec";
export * from "./hmac";
export * from "./backoff";
export * from "./catalog";
