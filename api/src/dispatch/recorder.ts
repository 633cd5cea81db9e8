// Collects finished deliveries and writes them in batches: one statement per flush instead of a
// transaction per delivery is what lets the database keep up with thousands of deliveries a second.
import type { Db } from "../db/connect";
import type { Finished } from "./deliver";
import { type RecordOptions, recordBatch } from "./record";

const FLUSH_EVERY_MS = 10;
const MAX_BATCH = 500;

/** An attempted or canceled delivery of a FIFO line: its line waits for it to be written down. */
const headOfLine = (finished: Finished) => finished.delivery.line_seq !== null && finished.kind !== "waiting";

export class Recorder {
  private buffer: Finished[] = [];
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly workerId: string,
    private readonly log: (message: string, error: unknown) => void,
    private readonly options: RecordOptions,
  ) {}

  add(finished: Finished): void {
    this.buffer.push(finished);
    // A FIFO line waits for its head to be written down (record.ts releases the next): at once.
    if (this.buffer.length >= MAX_BATCH || headOfLine(finished)) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_EVERY_MS);
  }

  /**
   * Runs `write` between flushes, never beside one: the heartbeat's lease renewal and a flush both
   * update this worker's deliveries, and two such statements at once can deadlock on their rows.
   */
  between<T>(write: () => Promise<T>): Promise<T> {
    const run = this.writing.then(write);
    this.writing = run.then(
      () => {},
      () => {},
    );
    return run;
  }

  /** Writes what is buffered; flushes run one after another, never in parallel. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.buffer;
    this.buffer = [];
    if (batch.length === 0) return this.writing;
    this.writing = this.writing.then(() =>
      // A failed write leaves the deliveries leased: they come back when the lease runs out.
      recordBatch(this.db, this.workerId, batch, this.options).catch((error: unknown) =>
        this.log(`recording ${batch.length} deliveries failed`, error),
      ),
    );
    return this.writing;
  }
}
