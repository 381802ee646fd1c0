// tfplugin6.Provider: routes each RPC to the handler of its resource or data source type. Holds the one
// piece of per-process state, the context made by ConfigureProvider.
import { containsUnknown, type Context } from "../resources/index.js";
import { knownArgs, plannedArgs } from "./args.js";
import { DataSourceHandler } from "./dataSource.js";
import { ConfigurationProblems, type ProviderDefinition } from "./definition.js";
import { error, fromException, fromProblems, hasErrors, pathOf } from "./diagnostics.js";
import type * as pb from "./protocol/tfplugin6.js";
import { callNotes, ResourceHandler } from "./resource.js";
import { configModel, dataSourceModel, resourceModel, valuesOf } from "./schema.js";
import { fromDynamic } from "./values.js";

export function providerHandlers(def: ProviderDefinition, log: (message: string) => void): pb.ProviderHandlers {
  const config = configModel(def.config, def.description);
  let context: Context | undefined;
  const getContext = (): Context => {
    if (!context) throw new Error("the provider is not configured (ConfigureProvider was not called)");
    return context;
  };
  const resources = new Map(
    def.resources.map((d) => {
      const h = new ResourceHandler(resourceModel(def.name, d), getContext, log);
      return [h.model.typeName, h] as const;
    }),
  );
  const dataSources = new Map(
    def.dataSources.map((d) => {
      const h = new DataSourceHandler(dataSourceModel(def.name, d), getContext, log);
      return [h.model.typeName, h] as const;
    }),
  );

  const unknownType = (kind: string, typeName: string) => ({
    diagnostics: [error(`Unknown ${kind} type "${typeName}"`, `This provider has no ${kind} named ${typeName}.`)],
  });
  const configValues = (dv: pb.DynamicValue | undefined) => valuesOf(config, fromDynamic(dv)) ?? {};

  /** A handler that threw: a diagnostic for the user, the stack for the log. */
  async function guarded<T extends { diagnostics: pb.Diagnostic[] }>(what: string, run: () => T | Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      log(`[ERROR] ${what}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return { diagnostics: [fromException(`${what} failed`, e)] } as unknown as T;
    }
  }

  return {
    async GetProviderSchema() {
      return {
        provider: config.schema,
        resourceSchemas: Object.fromEntries([...resources].map(([name, h]) => [name, h.model.schema])),
        dataSourceSchemas: Object.fromEntries([...dataSources].map(([name, h]) => [name, h.model.schema])),
        diagnostics: [],
        // Terraform then plans destroys through the provider too, so a destroy Headscale would refuse (a
        // user that owns nodes) fails the plan instead of half-way through the apply.
        serverCapabilities: { planDestroy: true },
      };
    },

    async ValidateProviderConfig(req) {
      return { diagnostics: plannedArgs(config, def.config, configValues(req.config)).diagnostics };
    },

    ConfigureProvider: (req) =>
      guarded("ConfigureProvider", async () => {
        const values = configValues(req.config);
        const pending = config.attributes.filter((a) => containsUnknown(values[a.key]));
        if (pending.length) {
          const detail = "The provider needs it to plan. Set it to a known value, or apply what it depends on first (terraform apply -target=…).";
          return { diagnostics: pending.map((a) => error(`${a.name} is not known until apply`, detail, pathOf(config, a.key))) };
        }
        const { args, diagnostics } = knownArgs(config, def.config, values);
        if (hasErrors(diagnostics)) return { diagnostics };
        try {
          const connected = await def.connect(args);
          // Declarations' messages still go to the log, and also to the user of the RPC that made them.
          context = {
            ...connected,
            log: (m) => {
              callNotes.getStore()?.push(m);
              connected.log(m);
            },
          };
          return { diagnostics };
        } catch (e) {
          if (e instanceof ConfigurationProblems) return { diagnostics: fromProblems(config, e.problems) };
          throw e;
        }
      }),

    async ValidateResourceConfig(req) {
      const h = resources.get(req.typeName);
      return h ? guarded(`ValidateResourceConfig ${req.typeName}`, () => h.validate(req.config)) : unknownType("resource", req.typeName);
    },

    async ValidateDataResourceConfig(req) {
      const h = dataSources.get(req.typeName);
      return h ? guarded(`ValidateDataResourceConfig ${req.typeName}`, () => h.validate(req.config)) : unknownType("data source", req.typeName);
    },

    async UpgradeResourceState(req) {
      const h = resources.get(req.typeName);
      return h ? guarded(`UpgradeResourceState ${req.typeName}`, () => h.upgrade(req.rawState)) : unknownType("resource", req.typeName);
    },

    async ReadResource(req) {
      const h = resources.get(req.typeName);
      return h ? guarded(`ReadResource ${req.typeName}`, () => h.read(req)) : unknownType("resource", req.typeName);
    },

    async PlanResourceChange(req) {
      const h = resources.get(req.typeName);
      return h ? guarded(`PlanResourceChange ${req.typeName}`, () => h.plan(req)) : unknownType("resource", req.typeName);
    },

    async ApplyResourceChange(req) {
      const h = resources.get(req.typeName);
      return h ? guarded(`ApplyResourceChange ${req.typeName}`, () => h.apply(req)) : unknownType("resource", req.typeName);
    },

    async ImportResourceState(req) {
      const h = resources.get(req.typeName);
      const none = { importedResources: [], ...unknownType("resource", req.typeName) };
      return h ? guarded(`ImportResourceState ${req.typeName}`, () => h.import(req)) : none;
    },

    async ReadDataSource(req) {
      const h = dataSources.get(req.typeName);
      return h ? guarded(`ReadDataSource ${req.typeName}`, () => h.read(req.config)) : unknownType("data source", req.typeName);
    },

    async StopProvider() {
      // Calls in flight finish on their own (the client has per-attempt timeouts); nothing to cancel.
      return {};
    },
  };
}
