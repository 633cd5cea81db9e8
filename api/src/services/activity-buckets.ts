// The time buckets of an activity chart: a fixed count per window, their starts aligned to multiples
// of the bucket size (UTC), the last one holding now. Pure, so the layout is tested without a database.
import type { ActivityWindowValue } from "../schemas/activity";

const MINUTE = 60_000;

/** Per window: how many buckets, and how long each is. */
export const BUCKET_LAYOUT: Record<ActivityWindowValue, { count: number; sizeMs: number }> = {
  "1h": { count: 60, sizeMs: MINUTE },
  "24h": { count: 48, sizeMs: 30 * MINUTE },
  "7d": { count: 56, sizeMs: 180 * MINUTE },
};

export interface Buckets {
  /** The first bucket's start. */
  from: Date;
  /** The last bucket's end (exclusive; after `now`). */
  to: Date;
  sizeMs: number;
  count: number;
}

export function bucketsOf(window: ActivityWindowValue, now: Date): Buckets {
  const { count, sizeMs } = BUCKET_LAYOUT[window];
  const end = (Math.floor(now.getTime() / sizeMs) + 1) * sizeMs;
  return { from: new Date(end - count * sizeMs), to: new Date(end), sizeMs, count };
}

/** The start of bucket `index`. */
export function bucketStart(buckets: Buckets, index: number): Date {
  return new Date(buckets.from.getTime() + index * buckets.sizeMs);
}
