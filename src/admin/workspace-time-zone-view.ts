// The time zone block of the workspace settings page: the zone list, the current choice and a
// sample of the current time in it, so the admin sees what the pages will look like.
import type { Translate } from '../i18n/index.ts';
import { canonicalTimeZone, formatTime, zoneLabel } from '../i18n/time.ts';

let zones: string[] | undefined;

/** UTC first, then every zone the runtime knows, in its order (by region, then city). */
function allZones(): string[] {
  zones ??= ['UTC', ...Intl.supportedValuesOf('timeZone').filter((zone) => zone !== 'UTC')];
  return zones;
}

export function timeZoneChoice(current: string, now: Date) {
  return {
    current,
    example: formatTime(now, current),
    options: allZones().map((zone) => ({
      value: zone,
      label: zone === 'UTC' ? 'UTC' : `${zone.replace(/_/g, ' ')} (${zoneLabel(now, zone)})`,
      current: zone === current,
    })),
  };
}

/** The message after a save, from the `time_zone` query parameter the POST redirects with. */
export function timeZoneFlash(t: Translate, outcome: unknown, zone: string): { kind: 'success'; text: string } | undefined {
  const shown = canonicalTimeZone(zone) ?? zone;
  if (outcome === 'saved') return { kind: 'success', text: t('workspace.timeZone.saved', { zone: shown }) };
  if (outcome === 'unchanged') return { kind: 'success', text: t('workspace.timeZone.unchanged', { zone: shown }) };
  return undefined;
}
