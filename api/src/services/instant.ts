// Instants the database can store and compare: a real calendar date (no 30 February: JavaScript
// would roll it over, PostgreSQL refuses it) in the years 0001 to 9999 (there is no year 0).

/** True when `iso` (an ISO 8601 date-time) names a real instant the database accepts. */
export function isStorableInstant(iso: string): boolean {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return false;
  const date = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!date) return false;
  const [year, month, day] = [Number(date[1]), Number(date[2]), Number(date[3])];
  if (year < 1 || year > 9999) return false;
  // The calendar day as written must exist (checked in UTC, before any offset applies).
  const check = new Date(Date.UTC(year, month - 1, day));
  return check.getUTCMonth() === month - 1 && check.getUTCDate() === day;
}
