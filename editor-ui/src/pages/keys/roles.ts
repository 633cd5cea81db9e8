// The three workspace roles a key can have, each with what it allows, in one line.
export type KeyRole = "admin" | "operator" | "ingest";

export const ROLES: { role: KeyRole; label: string; explains: string }[] = [
  {
    role: "admin",
    label: "Admin",
    explains: "Everything in this workspace: hooks, event types, API keys, events and logs.",
  },
  {
    role: "operator",
    label: "Operator",
    explains:
      "Reads hooks, event types, events and logs; retries deliveries and replays hooks. Changes nothing else.",
  },
  {
    role: "ingest",
    label: "Ingest",
    explains: "Posts events (and may invoke a function): the key for your platform's backend. Reads nothing.",
  },
];
