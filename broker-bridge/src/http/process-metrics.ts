// The process's own figures on /metrics, the few an operator alerts on: CPU time, resident memory,
// V8 heap, event-loop delay. prom-client's collectDefaultMetrics registers some twenty series
// (GC histograms, handles, per-space heap sizes) and keeps a GC observer and a 10 ms event-loop
// histogram running; these are read only when Prometheus scrapes.
// Names follow Prometheus's conventions for process metrics
// (https://prometheus.io/docs/instrumenting/writing_clientlibs/#process-metrics), with shipgate_ before them.

import { monitorEventLoopDelay } from "node:perf_hooks";
import { Counter, Gauge, type Registry } from "../metrics/prom";

export function registerProcessMetrics(registry: Registry): () => void {
  new Gauge({
    name: "shipgate_process_resident_memory_bytes",
    help: "Resident memory size in bytes.",
    registers: [registry],
    collect() {
      this.set(process.memoryUsage.rss());
    },
  });
  new Gauge({
    name: "shipgate_nodejs_heap_used_bytes",
    help: "V8 heap in use, in bytes.",
    registers: [registry],
    collect() {
      this.set(process.memoryUsage().heapUsed);
    },
  });
  let reported = 0;
  new Counter({
    name: "shipgate_process_cpu_seconds_total",
    help: "User and system CPU time spent, in seconds.",
    registers: [registry],
    collect() {
      const { user, system } = process.cpuUsage();
      const total = (user + system) / 1e6;
      this.inc(total - reported);
      reported = total;
    },
  });
  new Gauge({
    name: "shipgate_process_start_time_seconds",
    help: "Start time of the process since the Unix epoch, in seconds.",
    registers: [registry],
  }).set(Math.round(Date.now() / 1000 - process.uptime()));
  // A coarse sampler (100 ms): a bridge whose loop is blocked for seconds shows it; finer is not needed.
  const delay = monitorEventLoopDelay({ resolution: 100 });
  delay.enable();
  new Gauge({
    name: "shipgate_nodejs_eventloop_delay_p99_seconds",
    help: "99th percentile of the event-loop delay since the last scrape, in seconds.",
    registers: [registry],
    collect() {
      this.set(delay.count > 0 ? delay.percentile(99) / 1e9 : 0);
      delay.reset();
    },
  });
  return () => delay.disable();
}
