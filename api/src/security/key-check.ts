// Refuses to start with an encryption key other than the one this database's secrets were sealed
// with: otherwise every read of a hook answers 500 and deliveries wait with no attempt. The database
// keeps one value sealed with the key (written on the first start that has none); a database from
// before the check is judged by one of its sealed secrets instead.
import type { Db } from "../db/connect";
import { openMap, openSecret } from "./hook-secrets";
import type { SecretBox } from "./secret-box";

const NAME = "encryption_key_check";
const CONTEXT = "hookrun:encryption-key-check";
const PLAINTEXT = "hookrun";

export class WrongEncryptionKey extends Error {
  override name = "WrongEncryptionKey";
}

const wrongKey = () =>
  new WrongEncryptionKey(
    "HOOKRUN_ENCRYPTION_KEY is not the key this database's secrets were sealed with (hook headers, " +
      "signing secrets, function secrets): start with the original key (on the embedded database, " +
      "the data dir's encryption.key)",
  );

/** Throws WrongEncryptionKey when `box` cannot open what this database holds. */
export async function checkEncryptionKey(db: Db, box: SecretBox): Promise<void> {
  const stored = await db
    .selectFrom("hookrun_meta")
    .select("value")
    .where("name", "=", NAME)
    .executeTakeFirst();
  if (stored) return opens(() => box.open(stored.value, CONTEXT) === PLAINTEXT);
  await opens(() => opensASecret(db, box));
  await db
    .insertInto("hookrun_meta")
    .values({ name: NAME, value: box.seal(PLAINTEXT, CONTEXT) })
    .onConflict((oc) => oc.column("name").doNothing())
    .execute();
  // Another process may have written its own at the same moment: the stored one decides.
  return checkEncryptionKey(db, box);
}

async function opens(attempt: () => boolean | Promise<boolean>): Promise<void> {
  let ok = false;
  try {
    ok = await attempt();
  } catch {}
  if (!ok) throw wrongKey();
}

/** True when one sealed secret of the database opens (or there is none to judge by). */
async function opensASecret(db: Db, box: SecretBox): Promise<boolean> {
  const hook = await db
    .selectFrom("hooks")
    .select(["id", "headers_enc", "secrets_enc", "signing_secret_enc"])
    .where((w) =>
      w.or([
        w("headers_enc", "is not", null),
        w("secrets_enc", "is not", null),
        w("signing_secret_enc", "is not", null),
      ]),
    )
    .limit(1)
    .executeTakeFirst();
  if (!hook) return true;
  if (hook.signing_secret_enc) openSecret(box, hook.id, hook.signing_secret_enc);
  openMap(box, hook.id, "headers", hook.headers_enc);
  openMap(box, hook.id, "secrets", hook.secrets_enc);
  return true;
}
