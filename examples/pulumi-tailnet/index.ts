// A subnet router that is also an exit node, its MagicDNS name and key expiry, and an admin API key for
// CI that rotates itself. The router joined with
//   tailscale up --login-server=https://headscale.example.com --authkey=… --hostname=router \
//     --advertise-routes=10.0.0.0/24 --advertise-exit-node
// Run with `pulumi up` (credentials as for examples/pulumi-basic).
import * as headscale from "headscale-iac/pulumi";

export default async function program() {
  const routes = new headscale.NodeRoutes("router", {
    nodeName: "router",
    waitFor: "2m", // the router may still be joining
    routes: ["10.0.0.0/24"],
    exitNode: true, // 0.0.0.0/0 and ::/0
    waitForAdvertised: "2m", // approve only once the router announces them
  });

  const router = new headscale.Node("router", {
    nodeName: "router",
    waitFor: "2m",
    givenName: "edge-router", // edge-router.<base_domain> in MagicDNS
    keyExpiry: "never", // Headscale 0.29+; on 0.27.1/0.28 give a time
  });

  const ci = new headscale.ApiKey("ci", { expiration: "90d", rotateBefore: "14d" });

  return {
    servedRoutes: routes.servedRoutes,
    routerName: router.name,
    ciKeyPrefix: ci.prefix,
    ciKey: ci.key, // secret: `pulumi stack output ciKey --show-secrets`
  };
}
