// The provider process from the plain compiled modules, when the build made no bundle (esbuild absent;
// bin/terraform-provider-headscale otherwise loads bundle/launch.cjs, see launchBundled.ts). The
// handshake still comes first, from a module that loads nothing heavy: Terraform starts the provider ~4
// times per command and waits for the line each time; the server loads while Terraform connects.
import module from "node:module";
import { handshake } from "./handshake.js";

// Node >= 22.1 can cache compiled code between runs; on Node 20 this is a no-op.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

const early = await handshake("headscale");
await (await import("./main.js")).start(early);
