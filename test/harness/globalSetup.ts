// Runs once before the suite: builds (first run) or finds (later runs) every tool the tests drive.
// TEST_TOOLS narrows the list while iterating on one part (e.g. TEST_TOOLS=headscale).
import { removeLaneDirs } from "./laneDriver.js";
import { lane } from "./lanes.js";
import { ensureTools, headscaleVersions } from "./tools.js";

export default function setup(): () => void {
  const started = Date.now();
  const tools = (process.env.TEST_TOOLS ?? "headscale tailscale pulumi pulumi-language-nodejs node terraform opentofu terraform-plugin-go")
    .split(/[\s,]+/)
    .filter(Boolean);
  ensureTools(...tools);
  process.stderr.write(
    `[tools] ${tools.join(", ")} ready in ${((Date.now() - started) / 1000).toFixed(0)} s; Headscale versions under test: ${headscaleVersions().join(", ")}\n`,
  );
  process.stderr.write(`[lanes] vitest project "floor" = ${lane("floor").label}; project "current" = ${lane("current").label}\n`);
  // The lane driver directories made by this run's test files (test/harness/laneDriver.ts).
  return () => removeLaneDirs(process.pid);
}
