// The parts of prom-client the bridge uses, loaded one by one: its index also loads the
// Pushgateway (http, https), cluster aggregation, Summary (tdigest) and the default process
// metrics, none of which the bridge uses. Measured alone: the index 80 ms and 10 MiB resident,
// these four files 5 ms and under 1 MiB (docs/performance.md, "Footprint"). The classes are
// prom-client's own; only the way they are loaded differs.

import { createRequire } from "node:module";
import type * as Prom from "prom-client";

const load = createRequire(import.meta.url);

export const Registry = load("prom-client/lib/registry.js") as typeof Prom.Registry;
export type Registry = Prom.Registry;
export const Counter = load("prom-client/lib/counter.js") as typeof Prom.Counter;
export type Counter<T extends string = string> = Prom.Counter<T>;
export const Gauge = load("prom-client/lib/gauge.js") as typeof Prom.Gauge;
export type Gauge<T extends string = string> = Prom.Gauge<T>;
export const Histogram = load("prom-client/lib/histogram.js") as typeof Prom.Histogram;
export type Histogram<T extends string = string> = Prom.Histogram<T>;
