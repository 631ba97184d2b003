import { measureThroughput } from "./scale";
import { DEFAULT_SCALE_OPTIONS } from "./scale";
import { FigureSink } from "./figures";
const sink = new FigureSink({} as never, new Date());
await measureThroughput(sink, { ...DEFAULT_SCALE_OPTIONS, headDecisions: 3 }, () => {});
for (const f of sink.figures) if (/throughput|latency/.test(f.name)) console.log(process.execArgv.join(" "), f.name, f.value);
process.exit(0);
