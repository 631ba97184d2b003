// Issue 9, part 4: polling efficiency against the fake GitHub with 50 watched repositories. The
// measurement itself is the CI engineer's bench/ci-polling.ts; this file turns it into figures.

import type { FigureSink } from "./figures";

export const SECTION = "Polling efficiency";

export async function measurePolling(sink: FigureSink, log: (line: string) => void): Promise<void> {
  let run: typeof import("./ci-polling").pollingBenchmark;
  try {
    run = (await import("./ci-polling")).pollingBenchmark;
  } catch (err) {
    const why = `bench/ci-polling.ts did not load (${(err as Error).message})`;
    for (const [name, unit, better] of FIGURES) sink.notMeasured(SECTION, name, unit, better, why);
    return;
  }
  log("polling: 50 repositories for a simulated hour, then change -> view in real time");
  const r = await run({ pipelines: 50 });
  const hour = { broker: "fake-github", n: r.requests, note: `${r.pipelines} repositories, ${r.interval_s} s interval, ${r.changes} changes in the simulated hour` };
  sink.add(SECTION, FIGURES[0][0], r.requests, FIGURES[0][1], FIGURES[0][2], hour);
  sink.add(SECTION, FIGURES[1][0], r.requests_per_hour_per_pipeline, FIGURES[1][1], FIGURES[1][2], hour);
  sink.add(SECTION, FIGURES[2][0], r.not_modified_share * 100, FIGURES[2][1], FIGURES[2][2], hour);
  sink.add(SECTION, FIGURES[3][0], r.rate_limited_requests, FIGURES[3][1], FIGURES[3][2], { ...hour, note: "requests that count against GitHub's 5,000 an hour" });
  const latency = { broker: "embedded", n: r.change_to_view_ms.samples.length, note: `poll interval ${r.change_to_view_ms.interval_ms} ms, changes at random points of the cycle` };
  sink.add(SECTION, FIGURES[4][0], r.change_to_view_ms.median, FIGURES[4][1], FIGURES[4][2], latency);
  sink.add(SECTION, FIGURES[5][0], r.change_to_view_ms.max, FIGURES[5][1], FIGURES[5][2], latency);
}

const FIGURES = [
  ["GitHub requests per hour, 50 repositories", "requests/h", "lower"],
  ["GitHub requests per hour per repository", "requests/h", "lower"],
  ["share of requests answered 304", "%", "higher"],
  ["requests counted by GitHub's rate limit per hour", "requests/h", "lower"],
  ["change on the fake -> gadget's view (median)", "ms", "lower"],
  ["change on the fake -> gadget's view (max)", "ms", "lower"],
] as const;
