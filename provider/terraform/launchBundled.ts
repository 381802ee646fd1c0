// The provider process when the build made bundles (bundle.ts compiles this file to bundle/launch.cjs,
// which bin/terraform-provider-headscale loads). CommonJS from the first line: the handshake (handshake.ts)
// is made before Node's ES module loader is set up and before the server's code is read; then the
// server bundle (bundle/main.cjs) loads with V8's code cache (codeCache.ts) and takes the connections.
import { handshake } from "./handshake.js";

handshake("headscale")
  .then(async (early) => {
    // Loaded only now: node:vm and node:module are not needed for the handshake.
    const { requireWithCodeCache } = await import("./codeCache.js");
    const server = requireWithCodeCache(`${__dirname}/main.cjs`) as typeof import("./main.js");
    return server.start(early);
  })
  .catch((e: unknown) => {
    process.stderr.write(`[ERROR] the provider could not start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
