// The Terraform/OpenTofu provider server (launch.ts loads this, or its bundle, after the handshake).
import "./stdoutGuard.js"; // first: nothing but the handshake may reach stdout
import type { Handshake } from "./handshake.js";
import { headscaleProvider } from "./headscale.js";
import { serve } from "./serve.js";

export const start = (early?: Handshake): Promise<void> => serve(headscaleProvider, early);
