// The external link's reconnects follow the backoff policy, against a real MQTT.js client and a
// real broker (aedes): while nothing listens the wait grows (doubling to the cap), and once the
// broker answers and goes away again the wait starts over from the first delay.

import test from "ava";
import { openAuthorizer, startEmbeddedBroker } from "../src/broker/embedded-broker";
import { ExternalLink } from "../src/link/external-link";
import { freePort, quietLog, waitFor } from "./helpers/bridge";

test("reconnect periods double to the cap while the broker is away, and start over after a connection", async (t) => {
  t.timeout(30_000);
  const port = await freePort();
  const link = new ExternalLink({
    url: `mqtt://127.0.0.1:${port}`,
    clientId: "reconnect-test",
    will: { topic: "t/status", payload: "{}" },
    log: quietLog,
    reconnect: { initialMs: 40, maxMs: 160, jitter: 0, floorMs: 0 },
  });
  t.teardown(() => link.close());
  const periods: number[] = [];
  const times: number[] = [];
  link.client.on("reconnect", () => {
    periods.push(link.client.options.reconnectPeriod ?? -1);
    times.push(Date.now());
  });
  await waitFor("five reconnect attempts", () => periods.length >= 5, 15_000);
  t.deepEqual(periods.slice(0, 5), [40, 80, 160, 160, 160]);
  // Each attempt waited at least its period (timers never fire early), so the doubling is real.
  for (let i = 1; i < 5; i++) t.true((times[i] ?? 0) - (times[i - 1] ?? 0) >= (periods[i] ?? 0) - 5, `attempt ${i}`);

  const broker = await startEmbeddedBroker({ host: "127.0.0.1", port, authorizer: openAuthorizer, onMessage: () => {}, log: quietLog });
  await waitFor("the link to connect", () => link.client.connected, 10_000);
  const before = periods.length;
  await broker.close();
  await waitFor("a reconnect after the broker went away", () => periods.length > before, 10_000);
  t.is(periods[before], 40, "the policy was reset by the connection");
});
