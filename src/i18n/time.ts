// The one way a time is shown on the admin and account pages: `2026-11-25 09:01 JST`, in the
// workspace's time zone, 24-hour and zero-padded, the same in every language so that an admin can
// compare a page with a colleague's screenshot or a ticket. Exports and logs stay in UTC ISO 8601.
//
// The zone's abbreviation comes from ICU, which knows one only in the locales where it is in
// common use (JST in ja-JP, EST in en-US, CET in en-GB, IST in en-IN, AEDT in en-AU, SAST in
// en-ZA); a zone with none there is shown by its offset (`UTC+05:45`), never by a made-up name.

const ABBREVIATION_LOCALES = ['en-US', 'en-GB', 'ja-JP', 'en-IN', 'en-AU', 'en-ZA'];
const ABBREVIATION = /^[A-Z]{2,5}$/;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(locale: string, timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}|${JSON.stringify(options)}`;
  let found = formatters.get(key);
  if (!found) {
    found = new Intl.DateTimeFormat(locale, { ...options, timeZone });
    formatters.set(key, found);
  }
  return found;
}

const part = (parts: Intl.DateTimeFormatPart[], type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';

/** `JST`, `EDT`, or the offset (`UTC+05:30`) when ICU has no abbreviation in common use. */
export function zoneLabel(date: Date, timeZone: string): string {
  if (timeZone === 'UTC') return 'UTC';
  for (const locale of ABBREVIATION_LOCALES) {
    const name = part(formatter(locale, timeZone, { timeZoneName: 'short' }).formatToParts(date), 'timeZoneName');
    if (ABBREVIATION.test(name)) return name;
  }
  const offset = part(formatter('en-US', timeZone, { timeZoneName: 'longOffset' }).formatToParts(date), 'timeZoneName');
  // longOffset is `GMT` at offset zero and `GMT+05:30` otherwise.
  return offset === 'GMT' ? 'UTC' : offset.replace(/^GMT/, 'UTC');
}

const toDate = (value: Date | string | number | null | undefined): Date | undefined => {
  if (value === null || value === undefined || value === '') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
};

/** `2026-11-25 09:01 JST`; empty for no time (null) or one that is not a time. */
export function formatTime(value: Date | string | number | null | undefined, timeZone: string): string {
  const date = toDate(value);
  if (!date) return '';
  const parts = formatter('en-US', timeZone, {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(date);
  return `${part(parts, 'year')}-${part(parts, 'month')}-${part(parts, 'day')} ${part(parts, 'hour')}:${part(parts, 'minute')} ${zoneLabel(date, timeZone)}`;
}

/** The same time for a `<time datetime>` attribute: UTC ISO 8601 to the second. */
export function isoTime(value: Date | string | number | null | undefined): string {
  const date = toDate(value);
  return date ? date.toISOString().replace(/\.\d{3}Z$/, 'Z') : '';
}

/** Both forms, for a template's `<time datetime="iso">text</time>`. */
export type ShownTime = { text: string; iso: string };

export function shownTime(value: Date | string | number | null | undefined, timeZone: string): ShownTime | undefined {
  const text = formatTime(value, timeZone);
  return text ? { text, iso: isoTime(value) } : undefined;
}

/** The zone's offset from UTC at `date`, in milliseconds (Tokyo: +9 h). */
function offsetAt(date: Date, timeZone: string): number {
  const parts = formatter('en-US', timeZone, {
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
    hourCycle: 'h23',
  }).formatToParts(date);
  const n = (type: Intl.DateTimeFormatPartTypes) => Number(part(parts, type));
  const local = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return local - Math.floor(date.getTime() / 1000) * 1000;
}

/**
 * The instant a calendar day (`2026-11-25`) begins in `timeZone`, so that a date typed by an admin
 * means the day the pages show. Checked again at the result, for a day that begins in the other
 * half of a daylight saving change than midnight UTC.
 */
export function startOfDay(year: number, month: number, day: number, timeZone: string): Date {
  const midnightUtc = Date.UTC(year, month - 1, day);
  const first = midnightUtc - offsetAt(new Date(midnightUtc), timeZone);
  return new Date(midnightUtc - offsetAt(new Date(first), timeZone));
}

let zoneIndex: Map<string, string> | undefined;

/**
 * The runtime's spelling of an IANA zone name typed in any case (`asia/tokyo` → `Asia/Tokyo`),
 * or undefined when it names no zone. `UTC` is accepted though ICU lists it only as an alias.
 */
export function canonicalTimeZone(name: string): string | undefined {
  zoneIndex ??= new Map(['UTC', ...Intl.supportedValuesOf('timeZone')].map((zone) => [zone.toLowerCase(), zone]));
  return zoneIndex.get(name.trim().toLowerCase());
}
