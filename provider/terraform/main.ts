// The Terraform/OpenTofu provider process (bin/terraform-provider-headscale runs this).
import "./stdoutGuard.js"; // first: nothing but the handshake may reach stdout
import { headscaleProvider } from "./headscale.js";
import { serve } from "./serve.js";

await serve(headscaleProvider);
