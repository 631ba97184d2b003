// The embedded link keeps the bridge's publishes in order and bounds how many are inside the
// broker at once, so a burst (every position of a long queue shifting) cannot pile up in aedes.
import test from "ava";
import type { EmbeddedBroker } from "../src/broker/embedded-broker";
import { EmbeddedLink, MAX_IN_FLIGHT } from "../src/link/embedded-link";
import { quietLog } from "./helpers/bridge";

function slowBroker() {
  const published: string[] = [];
  let inside = 0;
  let most = 0;
  const broker = {
    publish(topic: string) {
      inside++;
      most = Math.max(most, inside);
      return new Promise<void>((resolve) =>
        setTimeout(() => {
          inside--;
          published.push(topic);
          resolve();
        }, 1),
      );
    },
  } as unknown as EmbeddedBroker;
  return { broker, published, most: () => most };
}

test("a burst of publishes reaches the broker in order, never more than the limit at once", async (t) => {
  const link = new EmbeddedLink(quietLog);
  const fake = slowBroker();
  link.attach(fake.broker);
  const topics = Array.from({ length: 1000 }, (_, i) => `t/${i}`);
  const all = Promise.all(topics.map((topic) => link.publish(topic, "x", { qos: 1, retain: true })));
  t.true(link.backlog > 0, "the burst waits in the link");
  await all;
  t.deepEqual(fake.published, topics);
  t.true(fake.most() <= MAX_IN_FLIGHT, `at most ${MAX_IN_FLIGHT} inside the broker (saw ${fake.most()})`);
  t.is(link.backlog, 0);
});

test("publishing without a broker fails with a clear error", async (t) => {
  const link = new EmbeddedLink(quietLog);
  await t.throwsAsync(link.publish("a/b", "x", { qos: 0, retain: false }), { message: /cannot publish a\/b: the broker is not running/ });
});

test("bulk refreshes wait behind state changes, and a newer publish on the same topic replaces them", async (t) => {
  const link = new EmbeddedLink(quietLog);
  const fake = slowBroker();
  link.attach(fake.broker);
  const pending: Promise<void>[] = [];
  // Fill the broker, then queue refreshes for 200 topics and a state change for one of them.
  for (let i = 0; i < MAX_IN_FLIGHT; i++) pending.push(link.publish(`busy/${i}`, "x", { qos: 1, retain: false }));
  for (let i = 0; i < 200; i++) pending.push(link.publish(`locks/${i}`, "position", { qos: 1, retain: true, bulk: true }));
  pending.push(link.publish("locks/150", "approved", { qos: 1, retain: true }));
  pending.push(link.publish("urgent", "x", { qos: 1, retain: false }));
  await Promise.all(pending);
  const order = fake.published.filter((topic) => !topic.startsWith("busy/"));
  t.is(order[0], "locks/150", "the state change went before every refresh");
  t.is(order[1], "urgent");
  t.is(order.filter((topic) => topic === "locks/150").length, 1, "the stale refresh for that lock was dropped, never sent after it");
  t.is(order.length, 201);
});
