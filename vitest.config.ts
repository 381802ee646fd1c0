import { configDefaults, defineConfig } from "vitest/config";

// Toolchain lanes (test/harness/lanes.ts), one vitest project each, named in the output:
// "floor" runs every suite on the machine's Node with the checkout's @pulumi/pulumi (the oldest claimed),
// and the example on both lanes in turn (it is run in place, in examples/pulumi-basic);
// "current" runs the user projects and the Pulumi suites that depend most on the SDK and CLI
// version on Node 24 with the newest @pulumi/pulumi and CLI (the Automation-API driver runs from a lane
// directory: test/harness/laneDriver.ts).
const currentOnly = ["test/user-project/current.test.ts"];
// preview-validation stays on floor: its 49 previews in one Automation-API process came back attributed to
// the wrong program now and then with @pulumi/pulumi 3.276.0 (two different cases in two runs); the plain
// CLI (user projects) shows no such thing. Noted for a later look.
const pulumiOnCurrent = ["test/pulumi/lifecycle.test.ts", "test/pulumi/secret-leaks.test.ts"];

export default defineConfig({
  test: {
    globalSetup: ["test/harness/globalSetup.ts"],
    // Each file starts its own Headscale server(s) and real CLIs: processes, not threads.
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 120_000,
    hookTimeout: 180_000,
    reporters: ["default"],
    projects: [
      { extends: true, test: { name: "floor", include: ["test/**/*.test.ts"], exclude: [...configDefaults.exclude, ...currentOnly] } },
      { extends: true, test: { name: "current", include: [...currentOnly, ...pulumiOnCurrent], env: { PULUMI_LANE: "current" } } },
    ],
  },
});
