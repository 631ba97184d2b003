/*
 * A minimal XS host for memory figures (tools/xs/meter.ts builds and runs it). xsnap-worker
 * reports only the slots in use and the bytes taken from the OS; the machine also keeps the
 * chunk bytes in use and their peak, and the peak slot count (xsAll.h, txMachine), which this host
 * hands to JavaScript through meter(). It links the XS objects that @agoric/xsnap compiled at
 * install (its release build), so it is the same engine as the tests' worker.
 *
 * Usage: meter-host [-k stackSlots] script.js
 *   -k: the machine's stack in slots (xsCreation.stackCount, default 4096).
 * Globals: print(...), gc(), meter() -> [slotsInUse, chunkBytesInUse, peakSlots, peakChunkBytes,
 *   stackSlotsInUse, stackSlotsPeak] after a garbage collection; paintStack() starts a new
 *   high-water mark from the current depth. A script that overflows the stack
 *   or the memory never returns (xsnapPlatform.c's fxAbort enters the debugger): give the stack
 *   room and read the peak instead.
 */
#include "xsAll.h"
#include "xsnap.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern void modInstallTextDecoder(xsMachine* the);
extern void modInstallTextEncoder(xsMachine* the);
extern void modInstallBase64(xsMachine* the);

/*
 * The stack's high-water mark: the unused part of the machine's stack (below the->stack, down to
 * the->stackBottom; XS's stack grows down from stackTop) is painted with a pattern, and the deepest
 * slot written since is the peak. (xsnap's build has no mxInstrument, so the machine keeps no
 * stackPeak of its own.) XS also borrows the stack's far end as scratch space (xsdtoa.c for number
 * conversions, xsre.c for regular expressions, both from stackBottom up), so the scan goes down
 * from the top and stops at the first GAP untouched slots in a row: the scratch area beyond them
 * is not stack depth.
 */
#define PAINT 0xA5
#define GAP 16
static void paintStack(xsMachine* the) {
	memset((void*)the->stackBottom, PAINT, (char*)the->stack - (char*)the->stackBottom);
}
static int painted(txSlot* slot) {
	unsigned char* p = (unsigned char*)slot;
	for (size_t i = 0; i < sizeof(txSlot); i++) if (p[i] != PAINT) return 0;
	return 1;
}
static xsIntegerValue stackPeak(xsMachine* the) {
	txSlot* deepest = the->stack;
	int untouched = 0;
	for (txSlot* slot = the->stack - 1; slot >= the->stackBottom; slot--) {
		if (painted(slot)) {
			if (++untouched >= GAP) break;
		} else {
			untouched = 0;
			deepest = slot;
		}
	}
	return (xsIntegerValue)(the->stackTop - deepest);
}

static void meter_gc(xsMachine* the) { xsCollectGarbage(); }

static void meter_print(xsMachine* the) {
	xsIntegerValue c = xsToInteger(xsArgc), i;
	for (i = 0; i < c; i++) {
		if (i) fputc(' ', stdout);
		fputs(xsToString(xsArg(i)), stdout);
	}
	fputc('\n', stdout);
	fflush(stdout);
}

static void meter_paint(xsMachine* the) { paintStack(the); }

static void meter_meter(xsMachine* the) {
	xsCollectGarbage();
	xsResult = xsNewArray(0);
	xsCall1(xsResult, xsID("push"), xsInteger((xsIntegerValue)the->currentHeapCount));
	xsCall1(xsResult, xsID("push"), xsInteger((xsIntegerValue)the->currentChunksSize));
	xsCall1(xsResult, xsID("push"), xsInteger((xsIntegerValue)the->peakHeapCount));
	xsCall1(xsResult, xsID("push"), xsInteger((xsIntegerValue)the->peakChunksSize));
	xsCall1(xsResult, xsID("push"), xsInteger((xsIntegerValue)(the->stackTop - the->stack)));
	xsCall1(xsResult, xsID("push"), xsInteger(stackPeak(the)));
}

static char* readFile(const char* path) {
	FILE* f = fopen(path, "rb");
	if (!f) return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char* buf = malloc(n + 1);
	if (!buf || fread(buf, 1, n, f) != (size_t)n) { fclose(f); return NULL; }
	buf[n] = 0;
	fclose(f);
	return buf;
}

int main(int argc, char* argv[]) {
	int stackCount = 4096;
	const char* path = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-k") && i + 1 < argc) stackCount = atoi(argv[++i]);
		else path = argv[i];
	}
	if (!path) { fprintf(stderr, "usage: meter-host [-k stackSlots] script.js\n"); return 64; }
	char* source = readFile(path);
	if (!source) { fprintf(stderr, "cannot read %s\n", path); return 66; }
	xsCreation creation = {
		32 * 1024 * 1024, 4 * 1024 * 1024, 256 * 1024, 128 * 1024,
		stackCount, 32000, 8000, 1993, 127, 8 * 1024 * 1024, 1993,
	};
	xsInitializeSharedCluster();
	xsMachine* machine = xsCreateMachine(&creation, "meter", NULL);
	int status = 0;
	paintStack(machine);
	xsBeginHost(machine);
	{
		xsVars(2);
		xsResult = xsNewHostFunction(meter_gc, 0);
		xsDefine(xsGlobal, xsID("gc"), xsResult, xsDontEnum);
		xsResult = xsNewHostFunction(meter_print, 1);
		xsDefine(xsGlobal, xsID("print"), xsResult, xsDontEnum);
		xsResult = xsNewHostFunction(meter_paint, 0);
		xsDefine(xsGlobal, xsID("paintStack"), xsResult, xsDontEnum);
		xsResult = xsNewHostFunction(meter_meter, 0);
		xsDefine(xsGlobal, xsID("meter"), xsResult, xsDontEnum);
		modInstallTextDecoder(the);
		modInstallTextEncoder(the);
		modInstallBase64(the);
		xsTry {
			xsVar(0) = xsString(source);
			xsCall1(xsGlobal, xsID("eval"), xsVar(0));
		}
		xsCatch {
			fprintf(stderr, "exception: %s\n", xsToString(xsException));
			status = 1;
		}
	}
	xsEndHost(machine);
	if (!status) fxRunLoop(machine);
	if (machine->abortStatus == XS_STACK_OVERFLOW_EXIT) status = 2;
	else if (machine->abortStatus == XS_NOT_ENOUGH_MEMORY_EXIT) status = 3;
	else if (machine->abortStatus) status = 4;
	xsDeleteMachine(machine);
	xsTerminateSharedCluster();
	free(source);
	return status;
}
