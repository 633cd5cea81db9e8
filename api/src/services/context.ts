// What domain services need from the outside world, passed in explicitly (no globals).
import type { Db } from "../db/connect";
import type { SecretBox } from "../security/secret-box";

export interface Store {
  db: Db;
  box: SecretBox;
}
