// The bench's bookkeeping: percentiles, the direction-aware regression flag, and the marker rewrite
// of docs/performance.md.
import test from "ava";
import { type Figure, FigureSink, percentile, round } from "../figures";
import { compare, comparisonSummary, replaceBetweenMarkers, resultTables, runReport } from "../report";

const machine = { model: "test CPU", cores: 2, memoryGiB: 4, node: "v20.0.0", os: "Linux" };

function figures(values: Record<string, [number | null, Figure["better"]]>, n = 1): Figure[] {
  const sink = new FigureSink(machine, new Date("2026-01-01T00:00:00Z"));
  for (const [name, [value, better]] of Object.entries(values)) sink.add("S", name, value, "ms", better, { broker: "embedded", n });
  return sink.figures;
}

test("percentile is the nearest rank of the sorted samples", (t) => {
  const samples = [5, 1, 4, 2, 3, 6, 7, 8, 9, 10];
  t.is(percentile(samples, 50), 5);
  t.is(percentile(samples, 99), 10);
  t.is(percentile(samples, 10), 1);
  t.throws(() => percentile([], 50));
});

test("round keeps three significant digits", (t) => {
  t.is(round(1234.5678), 1235);
  t.is(round(0.0123456), 0.0123);
  t.is(round(51.54), 51.5);
});

test("a latency up by more than 20% is a regression; a throughput up is not", (t) => {
  const before = figures({ latency: [10, "lower"], throughput: [100, "higher"], rss: [100, "lower"], context: [1, "none"] });
  const after = figures({ latency: [12.5, "lower"], throughput: [130, "higher"], rss: [119, "lower"], context: [5, "none"] });
  const byName = Object.fromEntries(compare(before, after).map((c) => [c.name, c]));
  t.true(byName.latency?.regressed);
  t.false(byName.throughput?.regressed);
  t.true((byName.throughput?.worse ?? 0) < 0);
  t.false(byName.rss?.regressed);
  t.false(byName.context?.regressed);
  t.is(byName.context?.worse, null);
});

test("a throughput down by more than 20% is a regression; new and unmeasured figures are not", (t) => {
  const before = figures({ throughput: [100, "higher"], gone: [1, "lower"], missing: [5, "lower"] });
  const after = figures({ throughput: [70, "higher"], fresh: [1, "lower"], missing: [null, "lower"] });
  const byName = Object.fromEntries(compare(before, after).map((c) => [c.name, c]));
  t.true(byName.throughput?.regressed);
  t.is(byName.fresh?.previous, null);
  t.false(byName.fresh?.regressed);
  t.false(byName.missing?.regressed);
});

test("the tables replace only the text between their markers, and are appended when the markers are missing", (t) => {
  const doc = "# P\n\nintro\n<!-- bench:results -->\nold\n<!-- /bench:results -->\n\nafter\n";
  const out = replaceBetweenMarkers(doc, "results", "new");
  t.is(out, "# P\n\nintro\n<!-- bench:results -->\nnew\n<!-- /bench:results -->\n\nafter\n");
  t.is(replaceBetweenMarkers(out, "results", "newer").match(/bench:results/g)?.length, 2);
  t.regex(replaceBetweenMarkers("# P\n", "machine", "m"), /# P\n\n<!-- bench:machine -->\nm\n<!-- \/bench:machine -->\n$/);
});

test("the table flags a regression and escapes pipes", (t) => {
  const before = figures({ "a | b": [10, "lower"] });
  const after = figures({ "a | b": [20, "lower"] });
  const table = resultTables(after, compare(before, after));
  t.regex(table, /a \\\| b \| 20 \| ms \| 10 \| \*\*100% worse\*\* ⚠/);
});

test("figures from another sample count are not compared: no regression, said so", (t) => {
  const full = figures({ latency: [10, "lower"], rss: [100, "lower"] }, 1000);
  const fewer = figures({ latency: [30, "lower"], rss: [300, "lower"] }, 30);
  const comparisons = compare(full, fewer);
  t.true(comparisons.every((c) => !c.comparable && !c.regressed && c.worse === null));
  t.regex(resultTables(fewer, comparisons), /\| latency \| 30 \| ms \| 10 \| not comparable \|/);
  t.regex(comparisonSummary(comparisons, "2026-01-01"), /^No figure is more than 20% worse .* 2 figure\(s\) not compared: measured before with another sample count or broker\.$/);
  // Same samples, three times slower: still flagged.
  t.true(compare(full, figures({ latency: [30, "lower"] }, 1000))[0]?.regressed);
});

test("a quick run lists its figures and holds none against the full run's", (t) => {
  const full = figures({ latency: [10, "lower"], rss: [100, "lower"] }, 1);
  const quick = figures({ latency: [100, "lower"], rss: [1000, "lower"] }, 1);
  const report = runReport(full, quick, true);
  t.notRegex(report.text, /REGRESSION|worse/);
  t.regex(report.text, /^Quick run: 2 figures, not compared with bench\/results\.json \(a full run's\); nothing is written\.$/m);
  t.regex(report.text, /^latency\s+100\s*$/m);
  const fullRun = runReport(full, quick, false);
  t.is(fullRun.text.match(/REGRESSION/g)?.length, 2);
});
