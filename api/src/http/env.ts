// The Hono environment every route shares: what middleware puts on the context.
import type { Principal } from "../services/api-keys";

export interface AppEnv {
  Variables: {
    requestId: string;
    principal: Principal;
  };
}
