// One LISTEN per process for every live tail: the first subscriber starts it, the last one to leave
// stops it (on Postgres that closes the dedicated connection). NOTIFY payloads name a workspace,
// and only that workspace's tails are woken.
import type { OpenedDatabase, Unlisten } from "../db/connect";
import { ATTEMPTS_CHANNEL } from "../queue";

export type Listen = OpenedDatabase["listen"];

interface Subscriber {
  workspaceId: string;
  wake: () => void;
}

export class AttemptsHub {
  private readonly subscribers = new Set<Subscriber>();
  private unlisten: Unlisten | null = null;
  /** Starting and stopping the LISTEN run one after another, so a quick leave-and-join cannot race. */
  private transition: Promise<void> = Promise.resolve();

  constructor(
    private readonly listen: Listen,
    private readonly log: (message: string, error: unknown) => void = (m, e) => console.error(m, e),
  ) {}

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** True while the LISTEN is held (after the last unsubscribe has settled, false). */
  get listening(): boolean {
    return this.unlisten !== null;
  }

  /** Resolves once the LISTEN is in place, so nothing written after it is missed; returns the leave. */
  async subscribe(workspaceId: string, wake: () => void): Promise<() => Promise<void>> {
    const subscriber = { workspaceId, wake };
    this.subscribers.add(subscriber);
    await this.settle();
    let left = false;
    return async () => {
      if (left) return;
      left = true;
      this.subscribers.delete(subscriber);
      await this.settle();
    };
  }

  private settle(): Promise<void> {
    this.transition = this.transition.then(() => this.sync()).catch((e) => this.log("log tail listener", e));
    return this.transition;
  }

  private async sync(): Promise<void> {
    if (this.subscribers.size > 0 && !this.unlisten) {
      this.unlisten = await this.listen(ATTEMPTS_CHANNEL, (workspaceId) => this.notify(workspaceId));
    } else if (this.subscribers.size === 0 && this.unlisten) {
      const stop = this.unlisten;
      this.unlisten = null;
      await stop();
    }
  }

  private notify(workspaceId: string): void {
    for (const s of this.subscribers) if (s.workspaceId === workspaceId) s.wake();
  }
}
