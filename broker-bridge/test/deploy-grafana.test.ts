// deploy/grafana/shipgate.json against a running bridge: every PromQL query in the dashboard names
// only metrics that the bridge's /metrics exports (scraped, not listed by hand), and the file is an
// importable Grafana dashboard (a datasource input, panels with unique ids, each with a query).

import { readFileSync } from "node:fs";
import test from "ava";
import { startTestBridge } from "./helpers/bridge";

const DASHBOARD = new URL("../../deploy/grafana/shipgate.json", import.meta.url);

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource: { uid: string };
  targets: { expr: string; refId: string }[];
}

const KEYWORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool", "and", "or", "unless"]);

/** The metric names a PromQL expression reads: identifiers that are not functions, keywords,
 *  label names in matchers or grouping clauses, or durations. */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, "")
    .replace(/\{[^}]*\}/g, "")
    .replace(/\[[^\]]*\]/g, "")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, "");
  const out: string[] = [];
  for (const m of bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const rest = bare.slice((m.index ?? 0) + m[0].length);
    if (/^\s*\(/.test(rest) || KEYWORDS.has(m[0])) continue;
    out.push(m[0]);
  }
  return out;
}

/** Series names from the Prometheus text format's TYPE lines (a histogram's _bucket, _sum, _count). */
function exported(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = m as unknown as [string, string, string];
    names.add(name);
    if (type === "histogram" || type === "summary") for (const s of ["_bucket", "_sum", "_count"]) names.add(name + s);
  }
  return names;
}

test("metricNames reads the metric out of the shapes the dashboard uses", (t) => {
  t.deepEqual(metricNames('histogram_quantile(0.95, sum by (le) (rate(shipgate_x_bucket{a="b"}[1h])))'), ["shipgate_x_bucket"]);
  t.deepEqual(metricNames("sum(rate(a_sum[5m])) / sum(rate(a_count[5m]))"), ["a_sum", "a_count"]);
  t.deepEqual(metricNames("sum by (outcome) (increase(d_total[1h]))"), ["d_total"]);
});

test("every query of the Grafana dashboard names a metric the running bridge exports", async (t) => {
  const bridge = await startTestBridge();
  t.teardown(() => bridge.stop());
  const res = await fetch(`${bridge.httpUrl}/metrics`);
  t.is(res.status, 200);
  const names = exported(await res.text());
  t.true(names.has("shipgate_locks_pending"), "the scrape has the bridge's own series");

  const dashboard = JSON.parse(readFileSync(DASHBOARD, "utf8")) as { uid: string; __inputs: { name: string; pluginId: string }[]; panels: Panel[] };
  t.deepEqual(
    dashboard.__inputs.map((i) => [i.name, i.pluginId]),
    [["DS_PROMETHEUS", "prometheus"]],
  );
  t.is(new Set(dashboard.panels.map((p) => p.id)).size, dashboard.panels.length, "panel ids are unique");
  const missing: string[] = [];
  let queries = 0;
  for (const panel of dashboard.panels) {
    t.is(panel.datasource.uid, "$" + "{DS_PROMETHEUS}", `${panel.title} uses the datasource input`);
    t.true(panel.targets.length > 0, `${panel.title} has a query`);
    for (const target of panel.targets) {
      queries++;
      const used = metricNames(target.expr);
      t.true(used.length > 0, `${panel.title}: ${target.expr} reads a metric`);
      for (const name of used) if (!names.has(name)) missing.push(`${panel.title}: ${name}`);
    }
  }
  t.deepEqual(missing, [], "metrics the dashboard asks for that the bridge does not export");
  t.true(queries >= 10);
  // What the issue asks the dashboard to show, each in some query.
  const all = dashboard.panels.flatMap((p) => p.targets.map((q) => q.expr)).join("\n");
  for (const want of ["shipgate_locks_pending", "shipgate_decisions_total", "shipgate_decision_latency_seconds_bucket", "shipgate_gadgets_connected", "shipgate_poll_errors_total"]) {
    t.true(all.includes(want), `the dashboard shows ${want}`);
  }
});
