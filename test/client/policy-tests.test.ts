// The policy's `tests`, evaluated by the provider and by Headscale: on servers with a check endpoint
// (0.29+) both must give every corpus test the same verdict, and the corpus's expected one; on older
// servers, where the provider's evaluation is what checks the tests, the local verdicts must be the expected.
// Nodes are debug-registered (no client needed: tests evaluate addresses, users and tags).
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { HeadscaleClient, HeadscaleError, type Node } from "../../provider/client/index.js";
import { runPolicyTests } from "../../provider/policy/index.js";
import { dialectOf, inventoryNode } from "../../provider/resources/policyAccess.js";
import { startHeadscale, type HeadscaleServer } from "../harness/headscale.js";
import { headscaleMinor, headscaleVersions } from "../harness/tools.js";
import { corpusPolicy, corpusTests, type CorpusNodes } from "./policyTestCorpus.js";

const addresses = (n: Node) => ({ v4: n.ipAddresses.find((a) => !a.includes(":"))!, v6: n.ipAddresses.find((a) => a.includes(":"))! });

describe.each(headscaleVersions())("policy tests on Headscale %s", (version) => {
  let server: HeadscaleServer;
  let client: HeadscaleClient;
  let corpus: CorpusNodes;
  const serverChecks = headscaleMinor(version) >= 29;

  beforeAll(async () => {
    server = await startHeadscale({ version });
    client = new HeadscaleClient({ url: server.url, apiKey: server.apiKey });
    for (const name of ["alice", "bob", "carol"]) await client.createUser({ name });
    await client.setPolicy(JSON.stringify({ tagOwners: { "tag:server": ["alice@"] } }));
    const alice = await client.registerNode("alice", await client.debugCreateNode("alice", "alice-laptop"));
    const bob = await client.registerNode("bob", await client.debugCreateNode("bob", "bob-laptop"));
    // Owned by alice, then tagged: from then on it is identified by the tag only.
    const registered = await client.registerNode("alice", await client.debugCreateNode("alice", "server-1"));
    const tagged = await client.setNodeTags(registered.id, ["tag:server"]);
    corpus = { alice: addresses(alice), bob: addresses(bob), server: addresses(tagged) };
  }, 120_000);
  afterAll(async () => {
    client?.close();
    await server?.stop();
  });
  const showLog = () => onTestFailed(() => console.error(`--- headscale ${version} log ---\n${server.logTail()}`));

  async function localVerdicts(policy: Record<string, unknown>): Promise<boolean[]> {
    const { caps } = await client.server();
    const nodes = (await client.listNodes()).map(inventoryNode);
    return runPolicyTests(policy, nodes, dialectOf(caps)).map((r) => r.passed);
  }

  it("the corpus has at least 30 tests, passing and failing, and the nodes are as it assumes", async () => {
    const tests = corpusTests(corpus).filter((t) => serverChecks || !t.grants);
    expect(tests.length).toBeGreaterThanOrEqual(serverChecks ? 35 : 30);
    expect(tests.some((t) => t.passes) && tests.some((t) => !t.passes)).toBe(true);
    const nodes = (await client.listNodes()).map(inventoryNode);
    expect(nodes.map((n) => [n.name, n.tags]).sort()).toEqual([
      ["alice-laptop", []],
      ["bob-laptop", []],
      ["server-1", ["tag:server"]],
    ]);
  });

  it("the local evaluator gives every corpus test its expected verdict", async () => {
    const tests = corpusTests(corpus).filter((t) => serverChecks || !t.grants);
    const policy = { ...corpusPolicy(corpus, serverChecks), tests: tests.map((t) => t.test) };
    const verdicts = await localVerdicts(policy);
    expect(tests.map((t, i) => ({ why: t.why, passes: verdicts[i] }))).toEqual(tests.map((t) => ({ why: t.why, passes: t.passes })));
  });

  if (serverChecks) {
    it("Headscale's check agrees with the local evaluator on every corpus test", { timeout: 300_000 }, async () => {
      showLog();
      const base = corpusPolicy(corpus, true);
      await client.checkPolicy(JSON.stringify(base)); // the policy itself is valid: a rejection below is a test's verdict
      const disagreements: string[] = [];
      for (const t of corpusTests(corpus)) {
        const policy = { ...base, tests: [t.test] };
        const [local] = await localVerdicts(policy);
        let remote = true;
        let reason = "";
        try {
          await client.checkPolicy(JSON.stringify(policy));
        } catch (e) {
          if (!(e instanceof HeadscaleError) || e.kind !== "invalid_argument") throw e;
          remote = false;
          reason = e.serverMessage ?? e.message;
        }
        if (local !== remote || remote !== t.passes)
          disagreements.push(`${t.why} ${JSON.stringify(t.test)}: expected ${t.passes}, local ${local}, Headscale ${remote} ${reason}`);
      }
      expect(disagreements).toEqual([]);
    });
  }
});
