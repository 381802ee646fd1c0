// `headscale-iac`: a frontend like the Pulumi and Terraform ones, built on the resource declarations and
// the client. Subcommands: import (a live server into a project), key create / key revoke (CI keys).
import { describeFailure, EXIT, exitCodesHelp, usageError, type Connection } from "./common.js";
import { runImport } from "./import.js";
import { runKey } from "./key.js";

const help = `Usage: headscale-iac <command> [options]

Commands:
  import        write a Pulumi, Terraform (HCL) or CDKTF project that adopts a live server
  key create    create a pre-auth key (for a CI pipeline: --ci github|gitlab|auto)
  key revoke    expire (and delete) a pre-auth key by prefix, or the last one created (--last)

Run \`headscale-iac <command> --help\` for a command's options. The server is given by --url or
HEADSCALE_URL, the API key by HEADSCALE_API_KEY (never printed).

${exitCodesHelp}`;

export async function main(argv: string[]): Promise<number> {
  const log = (m: string) => process.stderr.write(`headscale-iac: ${m}\n`);
  const out = (m: string) => process.stdout.write(`${m}\n`);
  let connection: Connection | undefined;
  const setConnection = (c: Connection) => (connection = c);
  try {
    const [command, ...rest] = argv;
    if (command === "import") return await runImport(rest, log, out, setConnection);
    if (command === "key") return await runKey(rest, { log, out, setConnection });
    if (command === "--help" || command === "-h" || command === "help") {
      out(help);
      return EXIT.ok;
    }
    if (command === undefined) {
      process.stderr.write(`${help}\n`);
      return EXIT.usage;
    }
    throw usageError(`unknown command "${command}"`, "--help");
  } catch (e) {
    const { code, message } = describeFailure(e, connection?.apiKey ?? process.env.HEADSCALE_API_KEY);
    process.stderr.write(`headscale-iac: ${message}\n`);
    return code;
  }
}
