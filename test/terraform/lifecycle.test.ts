// Drives the real terraform (and tofu, when built) CLI against the Terraform server serving fake
// "widget" declarations: init → apply → no-op plan → update → replace → rotation → out-of-band delete →
// import block → bad input → destroy.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { availableClis, buildFixtures, Workspace } from "./workspace.js";

const widgetA = (over: Record<string, string> = {}) => {
  const attrs = { name: '"alpha"', zone: '"z1"', tags: '["b", "a"]', password: '"hunter2"', label: '"Hello"', ...over };
  return `resource "headscale_widget" "a" {\n${Object.entries(attrs)
    .map(([k, v]) => `  ${k} = ${v}`)
    .join("\n")}\n}\n`;
};

const lookup = `
data "headscale_widget_lookup" "a" {
  name = headscale_widget.a.name
}
output "looked_up_zone" { value = data.headscale_widget_lookup.a.zone }
output "token" {
  value     = headscale_widget.a.token
  sensitive = true
}
`;

beforeAll(() => buildFixtures(), 120_000);

describe.each(availableClis())("%s with the Terraform server", (cli) => {
  let ws: Workspace;
  const onlyId = () => Object.keys(ws.store()).filter((id) => ws.store()[id]!.name !== "imported");

  beforeAll(() => {
    ws = new Workspace(cli);
  });
  afterAll(() => ws?.cleanup());

  it("installs the provider from the filesystem mirror", async () => {
    ws.configure(widgetA() + lookup);
    const out = await ws.expect([0], "init");
    expect(out).toMatch(/Installing registry\.(terraform|opentofu)\.io\/headscale-iac\/headscale|headscale-iac\/headscale/);
  });

  it("publishes a schema derived from the declarations", async () => {
    const schema = JSON.parse(await ws.expect([0], "providers", "schema", "-json")) as {
      provider_schemas: Record<string, { resource_schemas: Record<string, { block: { attributes: Record<string, Record<string, unknown>> } }> }>;
    };
    const provider = Object.values(schema.provider_schemas)[0]!;
    const attrs = provider.resource_schemas.headscale_widget!.block.attributes;
    expect(attrs.name).toMatchObject({ type: "string", required: true, description: "Widget name." });
    expect(attrs.zone).toMatchObject({ required: true });
    expect(attrs.size).toMatchObject({ type: "number", optional: true, computed: true });
    expect(attrs.tags).toMatchObject({ type: ["set", "string"], optional: true });
    expect(attrs.password).toMatchObject({ optional: true, sensitive: true });
    expect(attrs.token).toMatchObject({ computed: true, sensitive: true });
    expect(attrs.created_at).toMatchObject({ computed: true });
    expect(attrs.id).toMatchObject({ type: "string", computed: true });
  });

  it("creates, fills in computed and defaulted values, and masks secrets", async () => {
    const out = await ws.expect([0], "apply", "-auto-approve");
    expect(out).toContain("1 added");
    expect(out).toMatch(/password\s+= \(sensitive value\)/);
    expect(out).not.toContain("hunter2");
    expect(out).toContain('looked_up_zone = "z1"');
    const [id] = onlyId();
    expect(ws.store()[id!]).toMatchObject({ name: "alpha", size: 1, label: "hello" });
    const state = JSON.parse(await ws.expect([0], "show", "-json")) as {
      values: {
        root_module: { resources: { address: string; values: Record<string, unknown>; sensitive_values: Record<string, unknown> }[] };
      };
    };
    const a = state.values.root_module.resources.find((r) => r.address === "headscale_widget.a")!;
    // The server lowercased the label; the declaration's diff() calls that equal, so state keeps the user's spelling.
    expect(a.values).toMatchObject({ id, size: 1, label: "Hello" });
    expect(a.sensitive_values).toMatchObject({ password: true, token: true });
  });

  it("plans no changes on a second run", async () => {
    const r = await ws.run("plan", "-detailed-exitcode");
    expect(r.code, r.output).toBe(0);
  });

  it("updates in place", async () => {
    const [before] = onlyId();
    ws.configure(widgetA({ name: '"beta"', tags: '["a", "c"]' }) + lookup);
    const plan = await ws.expect([2], "plan", "-detailed-exitcode");
    expect(plan).toContain("update in-place");
    await ws.expect([0], "apply", "-auto-approve");
    expect(onlyId()).toEqual([before]);
    expect(ws.store()[before!]).toMatchObject({ name: "beta", tags: ["a", "c"] });
    expect((await ws.run("plan", "-detailed-exitcode")).code).toBe(0);
  });

  it("replaces when a field that forces replacement changes", async () => {
    const [before] = onlyId();
    ws.configure(widgetA({ name: '"beta"', tags: '["a", "c"]', zone: '"z2"' }) + lookup);
    const plan = await ws.expect([2], "plan", "-detailed-exitcode");
    expect(plan).toContain("must be replaced");
    expect(plan).toMatch(/zone\s+= "z1" -> "z2" # forces replacement/);
    await ws.expect([0], "apply", "-auto-approve");
    const [after] = onlyId();
    expect(after).not.toBe(before);
    expect(ws.store()[after!]!.zone).toBe("z2");
  });

  it("replaces when the declaration asks to (rotation), and says why", async () => {
    const [before] = onlyId();
    const oldToken = ws.store()[before!]!.token;
    ws.editStore((s) => void (s[before!]!.rotate = true));
    const plan = await ws.expect([2], "plan", "-detailed-exitcode");
    expect(plan).toContain("must be replaced");
    expect(plan).toContain("the token has expired and is rotated");
    await ws.expect([0], "apply", "-auto-approve");
    const [after] = onlyId();
    expect(after).not.toBe(before);
    expect(ws.store()[after!]!.token).not.toBe(oldToken);
  });

  it("re-creates an object deleted outside Terraform", async () => {
    ws.editStore((s) => {
      for (const id of Object.keys(s)) delete s[id];
    });
    const plan = await ws.expect([2], "plan", "-detailed-exitcode");
    expect(plan).toContain("will be created");
    await ws.expect([0], "apply", "-auto-approve");
    expect(onlyId()).toHaveLength(1);
  });

  it("adopts an existing object with an import block", async () => {
    ws.editStore((s) => {
      s.cafe0001 = { name: "imported", zone: "z9", size: 3, tags: ["x"], createdAt: "2026-01-01T00:00:00Z", token: "t0" };
    });
    const imported = `
import {
  to = headscale_widget.b
  id = "cafe0001"
}
resource "headscale_widget" "b" {
  name = "imported"
  zone = "z9"
  tags = ["x"]
}
`;
    ws.configure(widgetA({ name: '"beta"', tags: '["a", "c"]', zone: '"z2"' }) + lookup + imported);
    const plan = await ws.expect([2], "plan", "-detailed-exitcode");
    expect(plan).toContain("1 to import, 0 to add, 0 to change, 0 to destroy");
    await ws.expect([0], "apply", "-auto-approve");
    expect((await ws.run("plan", "-detailed-exitcode")).code).toBe(0);
  });

  it("reports bad input on the attribute it is about", async () => {
    const bad = (over: Record<string, string>) => widgetA({ name: '"beta"', tags: '["a", "c"]', zone: '"z2"', ...over }) + lookup;

    // Static validation (zod), at validate time.
    ws.configure(bad({ name: '"Bad Name"' }));
    let r = await ws.run("plan");
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/Error: Invalid name[\s\S]*name\s+= "Bad Name"[\s\S]*use lowercase letters, digits and dashes/);

    // check() problems, at plan time.
    ws.configure(bad({ name: '"forbidden"', tags: '["a", "tag:bad"]' }));
    r = await ws.run("plan");
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/Error: the name "forbidden" is reserved[\s\S]*name\s+= "forbidden"/);
    expect(r.output).toMatch(/Error: "tag:bad" is not permitted[\s\S]*tags\s+= \["a", "tag:bad"\]/);

    // A provider setting the definition's connect() rejects, on the provider block's attribute.
    ws.configure(`provider "headscale" {\n  store = ""\n}\n` + bad({}));
    r = await ws.run("plan");
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/Error: store is required[\s\S]*store = ""/);
  });

  it("destroys everything", async () => {
    ws.configure(widgetA({ name: '"beta"', tags: '["a", "c"]', zone: '"z2"' }) + lookup);
    await ws.expect([0], "destroy", "-auto-approve");
    expect(ws.store()).toEqual({});
  });
});
