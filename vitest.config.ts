import { configDefaults, defineConfig } from "vitest/config";

// Toolchain lanes (test/harness/lanes.ts), one vitest project each, named in the output:
// "floor" runs every suite on the machine's Node with the checkout's @pulumi/pulumi (the oldest claimed),
// and the example on both lanes in turn (it is run in place, in examples/pulumi-basic);
// "current" runs the user projects and the Pulumi suites that depend most on the SDK and CLI
// version on Node 24 with the newest @pulumi/pulumi and CLI (the Automation-API driver runs from a lane
// directory: test/harness/laneDriver.ts).
const currentOnly = ["test/user-project/current.test.ts"];
const pulumiOnCurrent = ["test/pulumi/lifecycle.test.ts", "test/pulumi/secret-leaks.test.ts", "test/pulumi/preview-validation.test.ts"];

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
