/** Who is calling: the tenant every route scopes its data by, and what the key may do. */
import type { ApiKeyScope } from './key-store.js';

export interface Principal {
  tenant: string;
  scopes: readonly ApiKeyScope[];
  /** The key id ('dev' for keyless loopback use in --dev mode); rate limits are kept per key. */
  keyId: string;
}

/** Hono variables set by the server's middleware and read by routes. */
export interface ServerVariables {
  principal: Principal;
  route: string;
  /** Ends the request's intake (tenant-intake.ts). */
  endIntake: () => void;
}

export interface ServerEnv {
  Variables: ServerVariables;
}
