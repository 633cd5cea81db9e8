// What domain services need from the outside world, passed in explicitly (no globals).
import type { EgressOptions } from "@hookrun/runtime";
import type { Db } from "../db/connect";
import type { SecretBox } from "../security/secret-box";
import type { HotCache } from "./hot-cache";

export interface Store {
  db: Db;
  box: SecretBox;
  /** The egress guard's options (HOOKRUN_EGRESS_ALLOW), for warnings about URLs it refuses. */
  egress?: EgressOptions;
  /** This process's key and catalog cache (serve has one): changes drop it before they answer. */
  cache?: HotCache | undefined;
}
