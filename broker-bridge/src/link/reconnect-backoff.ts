// MQTT.js retries a lost connection every `reconnectPeriod` ms, a fixed period. The bridge's link
// drives that period with the product's backoff policy (protocol/src/backoff.ts) instead: each
// close sets the period for the next attempt, and a connection resets it, so a broker that is down
// for long is not hammered, and bridges that lost it together do not return in step.
//
// MQTT.js (5.x, lib/client.ts) arms its reconnect timer in its own "close" handler with the
// period read from client.options at that moment, and connect() clears the timer: so the period
// is set in a "close" listener prepended before MQTT.js's own.

import type { Backoff, BackoffOptions } from "@shipgate/protocol";
import type { MqttClient } from "mqtt";

/** 1 s doubling to 30 s, less up to a quarter at random, never under 250 ms. */
export const LINK_RECONNECT: Readonly<BackoffOptions> = Object.freeze({ initialMs: 1000, maxMs: 30_000, jitter: 0.25, floorMs: 250 });

export function driveReconnects(client: MqttClient, backoff: Backoff): void {
  client.options.reconnectPeriod = backoff.baseMs;
  client.prependListener("close", () => {
    if (client.options.reconnectPeriod !== 0) client.options.reconnectPeriod = backoff.next();
  });
  client.on("connect", () => {
    backoff.reset();
  });
}
