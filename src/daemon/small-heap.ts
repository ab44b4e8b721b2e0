// The daemon runs for days, so it keeps its heap small. These V8 flags are set at run time, just for
// `start`, and not in bin's shebang: any V8 flag on the command line makes Node reject its built-in
// code cache, which cost every short command (the editor hook runs on each prompt) 20–35 ms of
// start-up here. Both are read by V8 as it goes, so setting them now, before the daemon's modules
// load, still counts. Measured (bench, 200 requests queued at once): peak RSS 118 MB without them.
// `--optimize-for-size` held the peak to 89 MB too, but its pauses put the p99 of detection → spawn
// at 32–42 ms; with these two it is 12–16 ms.
import v8 from "node:v8";

export function keepHeapSmall(): void {
  // The young generation otherwise grows to 3 × 16 MB under load and keeps it; 1 holds it at its initial size.
  v8.setFlagsFromString("--semi-space-growth-factor=1");
  // After each full GC the old generation may grow 10 % past what survived, not the default 1.1–4 ×.
  v8.setFlagsFromString("--heap-growing-percent=10");
}
