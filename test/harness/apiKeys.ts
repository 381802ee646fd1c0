// Whether an API key is accepted by a server right now (a real authenticated call).
import { HeadscaleClient, HeadscaleError } from "../../provider/client/index.js";

export async function apiKeyWorks(url: string, key: string): Promise<boolean> {
  const c = new HeadscaleClient({ url, apiKey: key, retries: 0 });
  try {
    await c.listUsers();
    return true;
  } catch (e) {
    if (e instanceof HeadscaleError && e.kind === "unauthorized") return false;
    throw e;
  } finally {
    c.close();
  }
}
