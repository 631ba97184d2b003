// What Home Assistant accepts as an MQTT discovery message, written down from its documentation
// (home-assistant.io/integrations/mqtt "MQTT Discovery"; sensor.mqtt, binary_sensor.mqtt,
// device_trigger.mqtt) and the abbreviation table of its MQTT integration
// (homeassistant/components/mqtt/abbreviations.py). A test subscriber runs every retained config
// the bridge publishes through checkDiscovery(): the topic shape, the abbreviations expanded, the
// keys each component knows and requires, the device and origin blocks, and the templates'
// value_json paths resolved against the real payloads on the state topics.

/** Abbreviation -> full key, for the keys shipgate could use (abbreviations.py). */
export const ABBREVIATIONS: Readonly<Record<string, string>> = {
  atype: "automation_type",
  avty: "availability",
  avty_mode: "availability_mode",
  avty_t: "availability_topic",
  avty_tpl: "availability_template",
  dev: "device",
  dev_cla: "device_class",
  ent_cat: "entity_category",
  ic: "icon",
  json_attr_t: "json_attributes_topic",
  json_attr_tpl: "json_attributes_template",
  o: "origin",
  ops: "options",
  pl: "payload",
  pl_avail: "payload_available",
  pl_not_avail: "payload_not_available",
  pl_off: "payload_off",
  pl_on: "payload_on",
  stat_cla: "state_class",
  stat_t: "state_topic",
  stype: "subtype",
  t: "topic",
  uniq_id: "unique_id",
  unit_of_meas: "unit_of_measurement",
  val_tpl: "value_template",
  exp_aft: "expire_after",
  frc_upd: "force_update",
  qos: "qos",
};
export const DEVICE_ABBREVIATIONS: Readonly<Record<string, string>> = {
  cns: "connections",
  cu: "configuration_url",
  ids: "identifiers",
  name: "name",
  mf: "manufacturer",
  mdl: "model",
  sw: "sw_version",
  hw: "hw_version",
  sa: "suggested_area",
  sn: "serial_number",
};
export const ORIGIN_ABBREVIATIONS: Readonly<Record<string, string>> = { name: "name", sw: "sw_version", url: "support_url" };

const COMMON = [
  "availability",
  "availability_mode",
  "availability_topic",
  "availability_template",
  "payload_available",
  "payload_not_available",
  "device",
  "origin",
  "unique_id",
  "name",
  "icon",
  "entity_category",
  "enabled_by_default",
  "json_attributes_topic",
  "json_attributes_template",
  "qos",
  "encoding",
];
const COMPONENTS: Record<string, { required: string[]; known: string[] }> = {
  sensor: {
    required: ["state_topic"],
    known: [...COMMON, "state_topic", "value_template", "device_class", "state_class", "unit_of_measurement", "options", "expire_after", "force_update", "suggested_display_precision"],
  },
  binary_sensor: { required: ["state_topic"], known: [...COMMON, "state_topic", "value_template", "device_class", "payload_on", "payload_off", "expire_after", "force_update", "off_delay"] },
  device_automation: {
    required: ["automation_type", "topic", "type", "subtype", "device"],
    known: ["automation_type", "topic", "type", "subtype", "payload", "value_template", "device", "origin", "qos", "encoding"],
  },
};
const DEVICE_KEYS = ["connections", "configuration_url", "identifiers", "name", "manufacturer", "model", "sw_version", "hw_version", "suggested_area", "serial_number", "via_device"];
const ID_LEVEL = /^[a-zA-Z0-9_-]+$/;

export interface Discovery {
  component: string;
  nodeId: string;
  objectId: string;
  /** The payload with every abbreviation expanded. */
  config: Record<string, unknown>;
}

function expand(obj: Record<string, unknown>, table: Readonly<Record<string, string>>, where: string, problems: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    const full = table[k] ?? k;
    if (full in out) problems.push(`${where}: ${k} given twice (as ${full})`);
    out[full] = v;
  }
  return out;
}

/** The discovery message's parts, or the problems that Home Assistant would refuse it for. */
export function checkDiscovery(prefix: string, topic: string, payload: string): Discovery | string[] {
  const problems: string[] = [];
  if (!topic.startsWith(prefix + "/") || !topic.endsWith("/config")) return [`${topic}: not <prefix>/<component>/[<node_id>/]<object_id>/config`];
  const levels = topic.slice(prefix.length + 1, -"/config".length).split("/");
  if (levels.length !== 3) return [`${topic}: shipgate always gives a node_id, so 3 levels are expected`];
  const [component, nodeId, objectId] = levels as [string, string, string];
  if (!(component in COMPONENTS)) return [`${topic}: component ${component} is not one shipgate means to use`];
  for (const level of [nodeId, objectId]) if (!ID_LEVEL.test(level)) problems.push(`${topic}: ${level} is not [a-zA-Z0-9_-]+`);
  let raw: unknown;
  try {
    raw = JSON.parse(payload);
  } catch {
    return [`${topic}: payload is not JSON`];
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return [`${topic}: payload is not a JSON object`];
  const config = expand(raw as Record<string, unknown>, ABBREVIATIONS, topic, problems);
  const spec = COMPONENTS[component] as { required: string[]; known: string[] };
  for (const key of spec.required) if (config[key] === undefined) problems.push(`${topic}: ${key} is required`);
  for (const key of Object.keys(config)) if (!spec.known.includes(key)) problems.push(`${topic}: ${key} is not a ${component} option`);
  if (config.device !== undefined) {
    const device = expand(config.device as Record<string, unknown>, DEVICE_ABBREVIATIONS, `${topic} device`, problems);
    config.device = device;
    for (const key of Object.keys(device)) if (!DEVICE_KEYS.includes(key)) problems.push(`${topic}: device.${key} is not a device option`);
    const ids = device.identifiers;
    const hasIds = typeof ids === "string" || (Array.isArray(ids) && ids.length > 0 && ids.every((i) => typeof i === "string"));
    if (!hasIds && device.connections === undefined) problems.push(`${topic}: device needs identifiers or connections`);
    // Entities are tied to a device only with a unique_id (MQTT discovery, "device").
    if (component !== "device_automation" && typeof config.unique_id !== "string") problems.push(`${topic}: a device needs unique_id on the entity`);
  }
  if (config.origin !== undefined) {
    const origin = expand(config.origin as Record<string, unknown>, ORIGIN_ABBREVIATIONS, `${topic} origin`, problems);
    config.origin = origin;
    if (typeof origin.name !== "string" || origin.name === "") problems.push(`${topic}: origin.name is required`);
    for (const key of Object.keys(origin)) if (!["name", "sw_version", "support_url"].includes(key)) problems.push(`${topic}: origin.${key} is not an origin option`);
  } else {
    problems.push(`${topic}: no origin block`);
  }
  if (config.availability !== undefined) {
    if (config.availability_topic !== undefined) problems.push(`${topic}: availability and availability_topic must not be used together`);
    const list = config.availability as unknown[];
    if (!Array.isArray(list) || list.length === 0) problems.push(`${topic}: availability must be a non-empty list`);
    else
      config.availability = list.map((a, i) => {
        const item = expand(a as Record<string, unknown>, ABBREVIATIONS, `${topic} availability.${i}`, problems);
        if (typeof item.topic !== "string") problems.push(`${topic}: availability.${i}.topic is required`);
        for (const k of Object.keys(item)) if (!["topic", "value_template", "payload_available", "payload_not_available"].includes(k)) problems.push(`${topic}: availability.${i}.${k} unknown`);
        return item;
      });
  }
  if (config.availability_mode !== undefined && !["all", "any", "latest"].includes(String(config.availability_mode))) problems.push(`${topic}: availability_mode must be all, any or latest`);
  if (component === "device_automation" && config.automation_type !== "trigger") problems.push(`${topic}: automation_type must be 'trigger'`);
  if (component === "sensor" && config.device_class === "enum") {
    if (!Array.isArray(config.options) || config.options.length === 0) problems.push(`${topic}: an enum sensor needs options`);
    if (config.state_class !== undefined || config.unit_of_measurement !== undefined) problems.push(`${topic}: an enum sensor has no state_class or unit`);
  }
  for (const key of ["state_topic", "topic", "json_attributes_topic", "availability_topic"]) {
    const t = config[key];
    if (t !== undefined && (typeof t !== "string" || /[+#]/.test(t))) problems.push(`${topic}: ${key} must be a topic without wildcards`);
  }
  return problems.length > 0 ? problems : { component, nodeId, objectId, config };
}

/** The value_json paths a template reads ("value_json.head.pipeline" -> ["head", "pipeline"]). */
export function templatePaths(template: string): string[][] {
  return [...template.matchAll(/value_json((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)].map((m) => (m[1] as string).slice(1).split("."));
}

/** Whether every path the template reads exists in the payload (a null along the way ends it:
 *  the templates guard such fields with `if`). */
export function pathsResolve(template: string, payload: unknown): string[] {
  const missing: string[] = [];
  for (const p of templatePaths(template)) {
    let at: unknown = payload;
    for (const key of p) {
      if (at === null) break;
      if (typeof at !== "object" || !(key in (at as object))) {
        missing.push(p.join("."));
        break;
      }
      at = (at as Record<string, unknown>)[key];
    }
  }
  return missing;
}

/** Renders the one template shape a device trigger uses here: literal text and {{ value_json.x }}. */
export function renderSimple(template: string, payload: Record<string, unknown>): string {
  return template.replace(/\{\{\s*value_json\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_, k: string) => String(payload[k]));
}
