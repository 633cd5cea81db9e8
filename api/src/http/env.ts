// The Hono environment every route shares: what middleware puts on the context.
import type { Principal } from "../services/api-keys";

export interface AppEnv {
  Variables: {
    requestId: string;
    principal: Principal;
    /**
     * Asks again whether the request's key or portal session is still valid (not revoked, not
     * expired): for answers that outlive the moment they were authorised, such as the live tail.
     */
    stillAuthenticated: () => Promise<boolean>;
  };
}
