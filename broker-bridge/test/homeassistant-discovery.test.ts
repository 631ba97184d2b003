// Home Assistant MQTT discovery against a real bridge with its secure broker: a subscriber logged
// in as the documented Home Assistant account (role viewer) reads every retained config and
// checks it against Home Assistant's documented rules (fakes/homeassistant-discovery.ts), reads
// the state and availability topics the configs name and resolves their templates on the real
// payloads, fires a device trigger from a real gadget event, and sees a removed gadget's configs
// emptied (Home Assistant's removal) and gone from the broker.

import test from "ava";
import mqtt, { type MqttClient } from "mqtt";
import { DEFAULT_PREFIX, Topics, encode } from "@shipgate/protocol";
import { AuditService } from "../src/audit/audit-service";
import { type RunningBridge, startBridge } from "../src/bridge";
import { checkConfig } from "../src/bridge-config";
import { GadgetService } from "../src/gadgets/gadget-service";
import { GatesService } from "../src/gates/gates-service";
import { RECONCILE_MS, HomeAssistantService } from "../src/homeassistant/ha-service";
import { PresenceService } from "../src/presence/presence-service";
import { SecurityService } from "../src/security/security-service";
import { UserStore } from "../src/accounts/user-store";
import { type Discovery, checkDiscovery, pathsResolve, renderSimple } from "./fakes/homeassistant-discovery";
import { quietLog, startMosquitto, tempDir, waitFor } from "./helpers/bridge";

const topics = new Topics(DEFAULT_PREFIX);
const PREFIX = "homeassistant";
const PER_GADGET = 3 + 4 * 3; // mode, queue, head lock; four buttons x three gestures

async function start(stateDir: string, config: Record<string, unknown>): Promise<RunningBridge> {
  const checked = checkConfig({ state_dir: stateDir, broker: { port: 0, host: "127.0.0.1" }, http: { port: 0 }, ...config }, "<test>", stateDir);
  if (!checked.ok) throw new Error(`${checked.field} ${checked.error}`);
  const services = [new AuditService(), new SecurityService(), new PresenceService(), new GatesService(), new GadgetService(), new HomeAssistantService()];
  return startBridge({ config: checked.value, log: quietLog, services });
}

/** Every message seen, by topic (the last one wins), and every empty payload seen. */
function record(client: MqttClient) {
  const last = new Map<string, string>();
  const emptied = new Set<string>();
  client.on("message", (topic, payload) => {
    last.set(topic, payload.toString());
    if (payload.length === 0) emptied.add(topic);
  });
  return { last, emptied };
}

test("discovery configs for the bridge and each gadget follow Home Assistant's rules, work on the real payloads, and go with the gadget", async (t) => {
  const stateDir = tempDir("shipgate-ha-");
  const users = new UserStore(stateDir);
  users.add("admin", "admin");
  const ha = users.add("homeassistant", "viewer");
  const desk1 = users.add("desk-1", "gadget");
  users.add("desk-2", "gadget");
  const bridge = await start(stateDir, { homeassistant: { discovery_prefix: PREFIX }, gadgets: { "desk-1": {} } });
  const clients: MqttClient[] = [];
  t.teardown(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})));
    await bridge.stop();
  });
  const connect = async (username: string, password: string) => {
    const c = await mqtt.connectAsync(bridge.brokerUrl, { username, password, reconnectPeriod: 0, clientId: `${username}-${Math.random().toString(16).slice(2, 8)}` });
    clients.push(c);
    return c;
  };

  const gadget = await connect("desk-1", desk1.password);
  await gadget.publishAsync(topics.gadgetStatus("desk-1"), encode({ state: "online", version: "0.1.0" }), { qos: 1, retain: true });

  const hass = await connect("homeassistant", ha.password);
  const seen = record(hass);
  // What Home Assistant subscribes to: its discovery prefix, then the topics the configs name.
  const granted = await hass.subscribeAsync(
    [`${PREFIX}/#`, topics.prefix + "gadgets/+/view", topics.prefix + "gadgets/+/status", topics.prefix + "gadgets/+/event", topics.mode(), topics.bridgeStatus()],
    { qos: 1 },
  );
  t.true(
    granted.every((g) => g.qos !== 128),
    `the viewer account may read every topic Home Assistant needs: ${JSON.stringify(granted)}`,
  );
  const configTopics = () => [...seen.last].filter(([topic, p]) => topic.startsWith(PREFIX + "/") && p.length > 0);
  await waitFor("every discovery config", () => configTopics().length === 2 + 2 * PER_GADGET);
  await waitFor("desk-1's view", () => seen.last.has(topics.gadgetView("desk-1")));
  // The bridge announces itself once its start is complete, which may come after its first views.
  await waitFor("the bridge's retained status", () => seen.last.has(topics.bridgeStatus()));

  const found: Discovery[] = [];
  for (const [topic, payload] of configTopics()) {
    const checked = checkDiscovery(PREFIX, topic, payload);
    if (Array.isArray(checked)) t.fail(checked.join("\n"));
    else found.push(checked);
  }
  const uniqueIds = found.filter((d) => d.component !== "device_automation").map((d) => d.config.unique_id);
  t.is(new Set(uniqueIds).size, uniqueIds.length, "unique_id is unique");
  for (const node of ["shipgate_desk-1", "shipgate_desk-2"]) {
    const triggers = found.filter((d) => d.nodeId === node && d.component === "device_automation");
    t.is(triggers.length, 12);
    t.is(new Set(triggers.map((d) => `${d.config.type}/${d.config.subtype}`)).size, 12, "type and subtype are unique per device");
    t.deepEqual(
      found
        .filter((d) => d.nodeId === node && d.component === "sensor")
        .map((d) => d.objectId)
        .sort(),
      ["head_lock", "mode", "queue"],
    );
  }

  // desk-1's entities read its real view; their availability topics carry "online".
  for (const d of found.filter((x) => x.nodeId === "shipgate_desk-1" && x.component === "sensor")) {
    const state = JSON.parse(seen.last.get(d.config.state_topic as string) ?? "null") as unknown;
    t.not(state, null, `${d.objectId}: its state topic has a retained payload`);
    t.deepEqual(pathsResolve(String(d.config.value_template), state), [], `${d.objectId}: value_template reads fields the view has`);
    for (const a of d.config.availability as { topic: string; value_template: string }[]) {
      const payload = JSON.parse(seen.last.get(a.topic) ?? "null") as { state: string };
      t.is(payload?.state, "online", `${d.objectId}: availability ${a.topic}`);
      t.deepEqual(pathsResolve(a.value_template, payload), []);
    }
  }
  const bridgeOnline = found.find((d) => d.nodeId === "shipgate_bridge" && d.objectId === "online")!;
  t.is(JSON.parse(seen.last.get(bridgeOnline.config.state_topic as string) ?? "{}").state, bridgeOnline.config.payload_on);

  // A press: exactly the approve/short trigger of desk-1 fires.
  await gadget.publishAsync(topics.gadgetEvent("desk-1"), encode({ button: "approve", gesture: "short", boot: 1, seq: 1 }), { qos: 1 });
  await waitFor("the event", () => seen.last.has(topics.gadgetEvent("desk-1")));
  const event = JSON.parse(seen.last.get(topics.gadgetEvent("desk-1")) as string) as Record<string, unknown>;
  const fired = found.filter(
    (d) => d.component === "device_automation" && d.config.topic === topics.gadgetEvent("desk-1") && renderSimple(String(d.config.value_template), event) === d.config.payload,
  );
  t.deepEqual(
    fired.map((d) => [d.config.type, d.config.subtype]),
    [["button_short_press", "approve"]],
  );

  // Removing desk-2's account empties each of its configs; a later subscriber finds none.
  users.remove("desk-2");
  const desk2 = found.filter((d) => d.nodeId === "shipgate_desk-2").map((d) => `${PREFIX}/${d.component}/${d.nodeId}/${d.objectId}/config`);
  await waitFor("desk-2's configs emptied", () => desk2.every((topic) => seen.emptied.has(topic)), RECONCILE_MS * 3);
  const late = await connect("homeassistant", ha.password);
  const lateSeen = record(late);
  await late.subscribeAsync(`${PREFIX}/#`, { qos: 1 });
  await waitFor("the retained configs", () => [...lateSeen.last.keys()].length >= 2 + PER_GADGET);
  await new Promise((r) => setTimeout(r, 200));
  t.deepEqual(
    [...lateSeen.last.keys()].filter((k) => k.includes("desk-2")),
    [],
  );
  t.is([...lateSeen.last.keys()].filter((k) => k.includes("desk-1")).length, PER_GADGET);
});

test("without the homeassistant section nothing is published under the discovery prefix; a bad prefix is a config error", async (t) => {
  const stateDir = tempDir("shipgate-ha-off-");
  const bridge = await start(stateDir, { gadgets: { "desk-1": {} } });
  t.teardown(() => bridge.stop());
  const admin = JSON.parse((await import("node:fs")).readFileSync(`${stateDir}/local-admin.json`, "utf8")) as { username: string; password: string };
  const c = await mqtt.connectAsync(bridge.brokerUrl, { username: admin.username, password: admin.password, reconnectPeriod: 0 });
  t.teardown(() => c.endAsync(true));
  const seen = record(c);
  await c.subscribeAsync([`${PREFIX}/#`, topics.gadgetView("desk-1")], { qos: 1 });
  await waitFor("desk-1's view", () => seen.last.has(topics.gadgetView("desk-1")));
  t.deepEqual(
    [...seen.last.keys()].filter((k) => k.startsWith(PREFIX)),
    [],
  );

  const err = await t.throwsAsync(start(tempDir(), { homeassistant: { discovery_prefix: "home/#" } }));
  t.regex(err?.message ?? "", /homeassistant\.discovery_prefix: must be topic levels/);
});

test("through Mosquitto: a gadget removed while the bridge was stopped is removed from Home Assistant at the next start", async (t) => {
  const mosquitto = await startMosquitto();
  t.teardown(() => mosquitto.stop());
  const stateDir = tempDir("shipgate-ha-mq-");
  const external = { broker: { url: mosquitto.url }, homeassistant: {} };
  const first = await start(stateDir, { ...external, gadgets: { "desk-1": {}, "desk-2": {} } });
  const hass = await mqtt.connectAsync(mosquitto.url, { reconnectPeriod: 0 });
  t.teardown(() => hass.endAsync(true));
  const seen = record(hass);
  await hass.subscribeAsync(`${PREFIX}/#`, { qos: 1 });
  const configs = () => [...seen.last].filter(([, p]) => p.length > 0).map(([k]) => k);
  await waitFor("both gadgets' configs", () => configs().length === 2 + 2 * PER_GADGET);
  await first.stop();

  const second = await start(stateDir, { ...external, gadgets: { "desk-1": {} } });
  t.teardown(() => second.stop());
  await waitFor("desk-2's configs emptied", () => configs().filter((k) => k.includes("desk-2")).length === 0);
  t.is(configs().filter((k) => k.includes("desk-1")).length, PER_GADGET);
  // Mosquitto no longer holds them: a new subscriber gets desk-1's and the bridge's only.
  const late = await mqtt.connectAsync(mosquitto.url, { reconnectPeriod: 0 });
  t.teardown(() => late.endAsync(true));
  const lateSeen = record(late);
  await late.subscribeAsync(`${PREFIX}/#`, { qos: 1 });
  await waitFor("the retained configs", () => lateSeen.last.size >= 2 + PER_GADGET);
  await new Promise((r) => setTimeout(r, 200));
  t.is(lateSeen.last.size, 2 + PER_GADGET);
});
