// MQTT clients for the benchmarks: each wraps one mqtt.js connection with an inbox that resolves a
// waiter with the moment (performance.now()) the matching message arrived, so that the time spent
// in the benchmark's own promise plumbing after the arrival is not counted.

import { performance } from "node:perf_hooks";
import mqtt, { type MqttClient } from "mqtt";
import { sendWithoutDelay } from "../broker-bridge/src/link/no-delay";

interface Waiter {
  topic: string;
  accept: (payload: Buffer) => boolean;
  resolve: (at: number) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class BenchClient {
  readonly client: MqttClient;
  readonly #waiters = new Set<Waiter>();
  /** Called for every message (before waiters), e.g. to count lock states. */
  onMessage: ((topic: string, payload: Buffer, at: number) => void) | null = null;

  private constructor(client: MqttClient) {
    this.client = client;
    client.on("message", (topic, payload) => {
      const at = performance.now();
      this.onMessage?.(topic, payload, at);
      for (const w of this.#waiters) {
        if (w.topic !== topic || !w.accept(payload)) continue;
        clearTimeout(w.timer);
        this.#waiters.delete(w);
        w.resolve(at);
      }
    });
  }

  /** Connects as the product's clients do: TCP_NODELAY on, like `shipgate gate` and the twin. */
  static async connect(url: string, options: mqtt.IClientOptions = {}): Promise<BenchClient> {
    const client = sendWithoutDelay(await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 10_000, ...options }));
    return new BenchClient(client);
  }

  /** Resolves with the arrival time of the first message on `topic` that `accept` takes. Register before causing it. */
  arrival(topic: string, accept: (payload: Buffer) => boolean, timeoutMs = 30_000): Promise<number> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        topic,
        accept,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters.delete(waiter);
          reject(new Error(`bench: no matching message on ${topic} within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.#waiters.add(waiter);
    });
  }

  async end(): Promise<void> {
    for (const w of this.#waiters) clearTimeout(w.timer);
    this.#waiters.clear();
    await this.client.endAsync();
  }
}

export function jsonField<T>(payload: Buffer, read: (value: Record<string, unknown>) => T): T | undefined {
  if (payload.length === 0) return undefined;
  try {
    return read(JSON.parse(payload.toString("utf8")) as Record<string, unknown>);
  } catch {
    return undefined;
  }
}

/** A lock state payload's `state`, or undefined. */
export function lockStateOf(payload: Buffer): string | undefined {
  return jsonField(payload, (v) => (typeof v.state === "string" ? v.state : undefined));
}

/** A gadget view payload's head lock id (null when nothing waits), or undefined if unreadable. */
export function viewHeadOf(payload: Buffer): string | null | undefined {
  return jsonField(payload, (v) => {
    const head = v.head as { id?: unknown } | null | undefined;
    return head === null ? null : typeof head?.id === "string" ? head.id : undefined;
  });
}
