// The data source RPCs for any DataSourceDeclaration: validate the arguments, read, return args + result.
import type { Context } from "../resources/declaration.js";
import { knownArgs, plannedArgs } from "./args.js";
import { fromException, hasErrors } from "./diagnostics.js";
import type * as pb from "./protocol/tfplugin6.js";
import { valuesOf, type DataSourceModel } from "./schema.js";
import { fromDynamic, toDynamic } from "./values.js";

type Values = Record<string, unknown>;

export class DataSourceHandler {
  constructor(
    readonly model: DataSourceModel,
    private readonly context: () => Context,
    private readonly log: (message: string) => void,
  ) {}

  validate(config: pb.DynamicValue | undefined): pb.DiagnosticsResponse {
    return { diagnostics: plannedArgs(this.model, this.model.declaration.args, this.decode(config)).diagnostics };
  }

  async read(config: pb.DynamicValue | undefined): Promise<pb.ReadDataSourceResponse> {
    const { args, diagnostics } = knownArgs(this.model, this.model.declaration.args, this.decode(config));
    if (hasErrors(diagnostics)) return { diagnostics };
    try {
      const result = await this.model.declaration.read(this.context(), args);
      const values = { ...args, ...result };
      return { state: toDynamic(this.model.codec.toTerraform(values)), diagnostics };
    } catch (e) {
      this.log(`[ERROR] reading ${this.model.typeName}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return { diagnostics: [fromException(`Could not read ${this.model.typeName}`, e)] };
    }
  }

  private decode(dv: pb.DynamicValue | undefined): Values {
    return valuesOf(this.model, fromDynamic(dv)) ?? {};
  }
}
