#!/usr/bin/env node
// The shipgate command. The sources are TypeScript run through tsx's loader, so there is no build
// step between a checkout and a running bridge.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
