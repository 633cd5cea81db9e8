// Types for the prelude functions that run inside the isolate (see prelude.ts). Type-only: nothing
// here exists at run time inside the isolate.
import type { FetchReply, FetchRequest } from "./protocol";

export type UrlParts = {
  href: string;
  origin: string;
  protocol: string;
  username: string;
  password: string;
  host: string;
  hostname: string;
  port: string;
  pathname: string;
  search: string;
  hash: string;
};

/** The host functions the prelude reaches, wrapped so user code never sees an ivm handle. */
export type IsolateHost = {
  /** Returns false once the invocation's console budget is spent, so the isolate stops sending. */
  log(level: string, message: string): boolean;
  random(n: number): Uint8Array;
  /** A digest, or an error message. */
  digest(alg: string, data: Uint8Array): Uint8Array | string;
  hmac(hash: string, key: Uint8Array, data: Uint8Array): Uint8Array | string;
  /** Parses (prop undefined) or updates (prop set) a URL; an error message when invalid. */
  url(
    href: string,
    base: string | undefined,
    prop: string | undefined,
    value: string | undefined,
  ): UrlParts | string;
  cancelTimer(id: number): void;
  timer(id: number, ms: number): Promise<boolean>;
  fetch(req: FetchRequest): Promise<FetchReply>;
};

type Ctor = new (init?: unknown) => unknown;

/** State and helpers the prelude parts share inside one isolate. */
export type Shared = {
  utf8Encode(str: string): Uint8Array;
  utf8Decode(bytes: Uint8Array, fatal: boolean): string;
  toBytes(input: unknown): Uint8Array;
  URLSearchParams: Ctor;
  Headers: Ctor;
  /** True while an invocation is running; host-driven continuations check it. */
  live: boolean;
  /** Bumped when an invocation ends: a host reply carrying an older value is dropped. */
  gen: number;
  /** Async host calls not yet settled inside the isolate. */
  pending: number;
  fetches: number;
  /** Promises of cancelled timers that settle during the invocation that cancelled them. */
  settling: Promise<unknown>[];
  reopenConsole(): void;
  logError(...args: unknown[]): void;
};
