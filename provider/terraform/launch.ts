// Starts the provider server: the single-file bundle when the build made one (bundle.ts; it starts
// ~90 ms faster, and Terraform starts the provider ~4 times per apply), else the plain compiled modules.
// Both bin/terraform-provider-headscale and the mirror launcher written by install.ts import this file.
import { existsSync } from "node:fs";
import module from "node:module";

// Node >= 22.1 can cache compiled code between runs; on Node 20 this is a no-op.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

const bundle = new URL("./bundle/main.mjs", import.meta.url);
await import(existsSync(bundle) ? bundle.href : new URL("./main.js", import.meta.url).href);
