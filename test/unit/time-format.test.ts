// The one time format of the admin and account pages: `2026-11-25 09:01 JST` in the workspace's
// zone, with the zone's abbreviation where one is in common use and the offset otherwise.
import assert from 'node:assert/strict';
import { canonicalTimeZone, formatTime, isoTime, shownTime, startOfDay } from '../../src/i18n/time.ts';

describe('time format', () => {
  it('shows UTC as UTC, 24-hour and zero-padded', () => {
    assert.equal(formatTime('2026-11-25T00:01:00Z', 'UTC'), '2026-11-25 00:01 UTC');
    assert.equal(formatTime(new Date('2026-01-05T23:09:59Z'), 'UTC'), '2026-01-05 23:09 UTC');
  });

  it('shows Tokyo with its abbreviation, across the date line', () => {
    assert.equal(formatTime('2026-11-25T00:01:00Z', 'Asia/Tokyo'), '2026-11-25 09:01 JST');
    assert.equal(formatTime('2026-11-24T15:00:00Z', 'Asia/Tokyo'), '2026-11-25 00:00 JST');
  });

  it('follows daylight saving time in New York on both sides of the change', () => {
    // 2026-03-08 02:00 EST becomes 03:00 EDT; 2026-11-01 02:00 EDT becomes 01:00 EST.
    assert.equal(formatTime('2026-03-08T06:59:00Z', 'America/New_York'), '2026-03-08 01:59 EST');
    assert.equal(formatTime('2026-03-08T07:00:00Z', 'America/New_York'), '2026-03-08 03:00 EDT');
    assert.equal(formatTime('2026-11-01T05:59:00Z', 'America/New_York'), '2026-11-01 01:59 EDT');
    assert.equal(formatTime('2026-11-01T06:00:00Z', 'America/New_York'), '2026-11-01 01:00 EST');
  });

  it('shows half-hour and quarter-hour zones by abbreviation or by offset', () => {
    assert.equal(formatTime('2026-11-25T00:01:00Z', 'Asia/Kolkata'), '2026-11-25 05:31 IST');
    assert.equal(formatTime('2026-11-25T00:01:00Z', 'Asia/Kathmandu'), '2026-11-25 05:46 UTC+05:45');
    assert.equal(formatTime('2026-11-25T00:01:00Z', 'America/St_Johns'), '2026-11-24 20:31 UTC-03:30');
    assert.equal(formatTime('2026-11-25T12:00:00Z', 'America/Sao_Paulo'), '2026-11-25 09:00 UTC-03:00');
  });

  it('never shows midnight as 24:00', () => {
    assert.equal(formatTime('2026-06-30T22:00:00Z', 'Europe/Berlin'), '2026-07-01 00:00 CEST');
  });

  it('shows nothing for no time or a value that is not a time', () => {
    assert.equal(formatTime(null, 'Asia/Tokyo'), '');
    assert.equal(formatTime(undefined, 'Asia/Tokyo'), '');
    assert.equal(formatTime('not a time', 'Asia/Tokyo'), '');
    assert.equal(shownTime(null, 'UTC'), undefined);
  });

  it('gives the ISO form for <time datetime>, in UTC whatever the zone', () => {
    assert.equal(isoTime('2026-11-25T09:01:30.123+09:00'), '2026-11-25T00:01:30Z');
    assert.deepEqual(shownTime('2026-11-25T00:01:00Z', 'Asia/Tokyo'), { text: '2026-11-25 09:01 JST', iso: '2026-11-25T00:01:00Z' });
  });

  it('accepts IANA names in any case and UTC, and nothing else', () => {
    assert.equal(canonicalTimeZone('Asia/Tokyo'), 'Asia/Tokyo');
    assert.equal(canonicalTimeZone('asia/tokyo'), 'Asia/Tokyo');
    assert.equal(canonicalTimeZone('UTC'), 'UTC');
    assert.equal(canonicalTimeZone('utc'), 'UTC');
    for (const bad of ['', 'Mars/Olympus_Mons', 'JST', '+09:00', 'Asia/Tokyo\u0000', '../etc/passwd']) assert.equal(canonicalTimeZone(bad), undefined, bad);
  });

  it('finds when a calendar day begins in a zone, on days with a daylight saving change too', () => {
    assert.equal(startOfDay(2026, 11, 25, 'UTC').toISOString(), '2026-11-25T00:00:00.000Z');
    assert.equal(startOfDay(2026, 11, 25, 'Asia/Tokyo').toISOString(), '2026-11-24T15:00:00.000Z');
    assert.equal(startOfDay(2026, 11, 25, 'Asia/Kathmandu').toISOString(), '2026-11-24T18:15:00.000Z');
    assert.equal(startOfDay(2026, 3, 8, 'America/New_York').toISOString(), '2026-03-08T05:00:00.000Z');
    assert.equal(startOfDay(2026, 3, 9, 'America/New_York').toISOString(), '2026-03-09T04:00:00.000Z');
    assert.equal(startOfDay(2026, 1, 1, 'Pacific/Auckland').toISOString(), '2025-12-31T11:00:00.000Z');
  });
});
