// A small reader of proto3 definition files: messages (nested), their fields and numbers, enums and their
// values, and a service's RPCs. Enough to check the hand-written codec against upstream's tfplugin6.proto;
// options, reserved ranges and imports are skipped.

export interface ProtoField {
  name: string;
  no: number;
  /** The declared type as written (`string`, `DynamicValue`, `Step`); for a map, its value type. */
  type: string;
  repeated: boolean;
  map: boolean;
  /** The message whose body declares the field (to resolve relative type names). */
  scope: string;
}

export interface ProtoFile {
  messages: Map<string, Map<string, ProtoField>>;
  enums: Map<string, Map<string, number>>;
  rpcs: Map<string, { request: string; response: string; service: string }>;
  /** The full name a type reference means inside `scope` (protobuf's innermost-first lookup). */
  resolve(type: string, scope: string): string | undefined;
}

function tokenize(text: string): string[] {
  const stripped = text.replace(/\/\*[\s\S]*?\*\//g, " ").replace(/\/\/[^\n]*/g, " ");
  return stripped.match(/"(?:[^"\\]|\\.)*"|[A-Za-z_][A-Za-z0-9_.]*|-?\d+|[{}()<>;=,[\]]/g) ?? [];
}

export function parseProto(text: string): ProtoFile {
  const t = tokenize(text);
  let i = 0;
  const messages = new Map<string, Map<string, ProtoField>>();
  const enums = new Map<string, Map<string, number>>();
  const rpcs = new Map<string, { request: string; response: string; service: string }>();
  const expect = (tok: string) => {
    if (t[i] !== tok) throw new Error(`proto: expected "${tok}" at token ${i}, found "${t[i]}"`);
    i++;
  };
  const skipStatement = () => {
    while (i < t.length && t[i] !== ";") i++;
    i++;
  };
  const skipBlock = () => {
    expect("{");
    for (let depth = 1; depth > 0 && i < t.length; i++) depth += t[i] === "{" ? 1 : t[i] === "}" ? -1 : 0;
  };

  function parseEnum(full: string): void {
    const values = new Map<string, number>();
    enums.set(full, values);
    expect("{");
    while (t[i] !== "}") {
      if (t[i] === "option" || t[i] === "reserved") skipStatement();
      else {
        const name = t[i++]!;
        expect("=");
        values.set(name, Number(t[i++]));
        skipStatement();
      }
    }
    i++;
  }

  function parseField(scope: string, fields: Map<string, ProtoField>): void {
    let repeated = false;
    let map = false;
    let type: string;
    if (t[i] === "repeated" || t[i] === "optional") repeated = t[i++] === "repeated";
    if (t[i] === "map") {
      i++;
      expect("<");
      i++; // key type
      expect(",");
      type = t[i++]!;
      expect(">");
      map = true;
    } else type = t[i++]!;
    const name = t[i++]!;
    expect("=");
    const no = Number(t[i++]);
    skipStatement(); // field options, then ";"
    fields.set(name, { name, no, type, repeated, map, scope });
  }

  function parseMessage(full: string): void {
    const fields = new Map<string, ProtoField>();
    messages.set(full, fields);
    expect("{");
    while (t[i] !== "}") {
      const tok = t[i]!;
      if (tok === "message") {
        i++;
        const name = t[i++]!;
        parseMessage(`${full}.${name}`);
      } else if (tok === "enum") {
        i++;
        const name = t[i++]!;
        parseEnum(`${full}.${name}`);
      } else if (tok === "oneof") {
        i += 2;
        expect("{");
        while (t[i] !== "}") t[i] === "option" ? skipStatement() : parseField(full, fields);
        i++;
      } else if (tok === "option" || tok === "reserved" || tok === "extensions") skipStatement();
      else if (tok === ";") i++;
      else parseField(full, fields);
    }
    i++;
  }

  function parseService(service: string): void {
    expect("{");
    while (t[i] !== "}") {
      if (t[i] !== "rpc") {
        t[i] === "option" ? skipStatement() : i++;
        continue;
      }
      i++;
      const name = t[i++]!;
      expect("(");
      if (t[i] === "stream") i++;
      const request = t[i++]!;
      expect(")");
      expect("returns");
      expect("(");
      if (t[i] === "stream") i++;
      const response = t[i++]!;
      expect(")");
      if (t[i] === "{") skipBlock();
      else i++;
      rpcs.set(name, { request, response, service });
    }
    i++;
  }

  while (i < t.length) {
    const tok = t[i++]!;
    if (tok === "message") parseMessage(t[i++]!);
    else if (tok === "enum") parseEnum(t[i++]!);
    else if (tok === "service") parseService(t[i++]!);
    else if (tok === "syntax" || tok === "package" || tok === "option" || tok === "import") skipStatement();
  }

  const resolve = (type: string, scope: string): string | undefined => {
    const parts = scope ? scope.split(".") : [];
    for (let n = parts.length; n >= 0; n--) {
      const candidate = [...parts.slice(0, n), type].join(".");
      if (messages.has(candidate) || enums.has(candidate)) return candidate;
    }
    return undefined;
  };
  return { messages, enums, rpcs, resolve };
}
