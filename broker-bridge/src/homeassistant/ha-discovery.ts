// Home Assistant MQTT discovery configs for shipgate (home-assistant.io/integrations/mqtt,
// "MQTT Discovery"): one retained message per entity on
//   <discovery_prefix>/<component>/<node_id>/<object_id>/config
// (node_id and object_id: [a-zA-Z0-9_-]), abbreviated keys (homeassistant/components/mqtt/
// abbreviations.py: stat_t, val_tpl, avty, uniq_id, dev, o, ...), a `device` block that ties the
// entities of one gadget together and an `origin` block naming shipgate. An empty retained
// payload on the same topic removes the entity. Device triggers (device_automation, "MQTT Device
// trigger"): automation_type trigger, type, subtype, topic, and a value_template whose result is
// compared with `payload`, since a gadget's event carries a sequence number that changes.

import { BUTTONS, GESTURES, type Gesture, type Topics } from "@shipgate/protocol";
import { VERSION } from "../version";

export interface DiscoveryMessage {
  topic: string;
  payload: Record<string, unknown>;
}

const ORIGIN = Object.freeze({ name: "shipgate", sw: VERSION, url: "https://github.com/your-org/shipgate/blob/main/docs/homeassistant.md" });
const STATE = "{{ value_json.state }}";
/** The bridge's device identifier; gadgets name it as via_device. */
export const BRIDGE_DEVICE_ID = "shipgate_bridge";

/** A gadget id as a discovery node id: '.' is not allowed there, so it becomes '_'. */
export function nodeIdOf(gadget: string): string {
  return "shipgate_" + gadget.replace(/[^A-Za-z0-9_-]/g, "_");
}

/** HA device trigger types: the frontend's own for short and long presses, "button_hold" for a hold. */
const TRIGGER_TYPE: Record<Gesture, string> = { short: "button_short_press", long: "button_long_press", hold: "button_hold" };

export function gadgetDiscovery(prefix: string, topics: Topics, gadget: string): DiscoveryMessage[] {
  const node = nodeIdOf(gadget);
  const device = { ids: [`shipgate_gadget_${gadget}`], name: `shipgate ${gadget}`, mf: "shipgate", mdl: "desk gadget", via_device: BRIDGE_DEVICE_ID };
  // Available only while both the gadget and the bridge say "online": a view the bridge no longer
  // updates is not shown as current.
  const avty = [
    { t: topics.gadgetStatus(gadget), val_tpl: STATE },
    { t: topics.bridgeStatus(), val_tpl: STATE },
  ];
  const view = topics.gadgetView(gadget);
  const sensor = (object: string, body: Record<string, unknown>): DiscoveryMessage => ({
    topic: `${prefix}/sensor/${node}/${object}/config`,
    payload: { ...body, uniq_id: `${node}_${object}`, stat_t: view, avty, avty_mode: "all", dev: device, o: ORIGIN },
  });
  const out: DiscoveryMessage[] = [
    sensor("mode", { name: "Mode", val_tpl: "{{ value_json.mode }}", dev_cla: "enum", ops: ["default", "released", "blocked"], ic: "mdi:traffic-light" }),
    sensor("queue", { name: "Queue", val_tpl: "{{ value_json.queue }}", stat_cla: "measurement", unit_of_meas: "locks", ic: "mdi:tray-full" }),
    sensor("head_lock", {
      name: "Head lock",
      val_tpl: "{{ (value_json.head.pipeline ~ ' ' ~ value_json.head.step) if value_json.head else 'none' }}",
      json_attr_t: view,
      json_attr_tpl: "{{ (value_json.head or {}) | tojson }}",
      ic: "mdi:lock-clock",
    }),
  ];
  for (const button of BUTTONS) {
    for (const gesture of GESTURES) {
      out.push({
        topic: `${prefix}/device_automation/${node}/${button}_${gesture}/config`,
        payload: {
          atype: "trigger",
          type: TRIGGER_TYPE[gesture],
          stype: button,
          t: topics.gadgetEvent(gadget),
          val_tpl: "{{ value_json.button }}_{{ value_json.gesture }}",
          pl: `${button}_${gesture}`,
          dev: device,
          o: ORIGIN,
        },
      });
    }
  }
  return out;
}

export function bridgeDiscovery(prefix: string, topics: Topics): DiscoveryMessage[] {
  const node = BRIDGE_DEVICE_ID;
  const device = { ids: [BRIDGE_DEVICE_ID], name: "shipgate bridge", mf: "shipgate", mdl: "bridge", sw: VERSION };
  return [
    {
      // No availability: this entity is the bridge's availability (its Will says "offline").
      topic: `${prefix}/binary_sensor/${node}/online/config`,
      payload: {
        name: "Online",
        uniq_id: `${node}_online`,
        stat_t: topics.bridgeStatus(),
        val_tpl: STATE,
        pl_on: "online",
        pl_off: "offline",
        dev_cla: "connectivity",
        ent_cat: "diagnostic",
        dev: device,
        o: ORIGIN,
      },
    },
    {
      topic: `${prefix}/sensor/${node}/mode/config`,
      payload: {
        name: "Mode",
        uniq_id: `${node}_mode`,
        stat_t: topics.mode(),
        val_tpl: "{{ value_json.mode }}",
        dev_cla: "enum",
        ops: ["default", "released", "blocked"],
        json_attr_t: topics.mode(),
        json_attr_tpl: "{{ value_json | tojson }}",
        avty_t: topics.bridgeStatus(),
        avty_tpl: STATE,
        ic: "mdi:traffic-light",
        dev: device,
        o: ORIGIN,
      },
    },
  ];
}
