// What the input boundary refuses, as pure functions over bytes and text. PostgreSQL cannot hold
// NUL in text or jsonb, nor a lone surrogate in jsonb, so such input would end in a 500 and a lost
// audit row; bytes that are not UTF-8 would be silently turned into U+FFFD, so what is compared or
// stored would differ from what was sent; and no field here is multi-line, so a control character
// (tab, CR and LF included) is never something a person typed into one of our forms. All of these
// are refused, never repaired.
//
// Right-to-left marks and other format characters (Unicode category Cf) are accepted: they are
// legitimate in names, and they are escaped only where a refusal is written to the audit log.

export type Refusal = 'control_character' | 'lone_surrogate' | 'invalid_utf8';

/** C0 controls, DEL and C1 controls (Unicode category Cc). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this module's purpose
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export function refusalOf(text: string): Refusal | undefined {
  if (CONTROL.test(text)) return 'control_character';
  if (!text.isWellFormed()) return 'lone_surrogate';
  return undefined;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this module's purpose
const HOSTILE = /[\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Every control character and lone surrogate as a \uXXXX escape; anything else unchanged. */
export function escapeHostile(text: string): string {
  return text.replace(HOSTILE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function hexValue(byte: number | undefined): number {
  if (byte === undefined) return -1;
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/**
 * Percent-decodes (WHATWG: a `%` not followed by two hex digits stays as it is) and decodes the
 * bytes as strict UTF-8. Undefined when the bytes are not UTF-8.
 */
export function decodeComponent(bytes: Uint8Array, plusIsSpace: boolean): string | undefined {
  const out = new Uint8Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    const high = byte === 0x25 ? hexValue(bytes[i + 1]) : -1;
    const low = high >= 0 ? hexValue(bytes[i + 2]) : -1;
    if (low >= 0) {
      out[n++] = high * 16 + low;
      i += 2;
    } else {
      out[n++] = plusIsSpace && byte === 0x2b ? 0x20 : byte;
    }
  }
  try {
    return strictUtf8.decode(out.subarray(0, n));
  } catch {
    return undefined;
  }
}

/** A refused name or value, decoded leniently so the audit log can show what was sent. */
export type Refused = { reason: Refusal; name: string; value: string };

export type Decoded = { pairs: [string, string][] } | { refused: Refused };

const lenient = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

/** The first refusal among a name and a value, if any. */
export function refusalOfPair(name: string, value: string): Refused | undefined {
  const reason = refusalOf(name) ?? refusalOf(value);
  return reason ? { reason, name, value } : undefined;
}

/** application/x-www-form-urlencoded bytes (a form body or a query string) into checked pairs. */
export function decodeUrlEncoded(bytes: Uint8Array): Decoded {
  const pairs: [string, string][] = [];
  let start = 0;
  while (start <= bytes.length) {
    let end = bytes.indexOf(0x26, start);
    if (end < 0) end = bytes.length;
    const part = bytes.subarray(start, end);
    start = end + 1;
    if (part.length === 0) continue;
    const eq = part.indexOf(0x3d);
    const rawName = eq < 0 ? part : part.subarray(0, eq);
    const rawValue = eq < 0 ? new Uint8Array(0) : part.subarray(eq + 1);
    const name = decodeComponent(rawName, true);
    const value = decodeComponent(rawValue, true);
    if (name === undefined || value === undefined) {
      return { refused: { reason: 'invalid_utf8', name: lenient(rawName), value: lenient(rawValue) } };
    }
    const refused = refusalOfPair(name, value);
    if (refused) return { refused };
    pairs.push([name, value]);
  }
  return { pairs };
}

/** Bytes of a request-target component: Node hands the URL over as latin1, one char per byte. */
export function urlBytes(text: string): Uint8Array {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a latin1 string is any run of code points 0–255
  return Buffer.from(text, /^[\u0000-\u00ff]*$/.test(text) ? 'latin1' : 'utf8');
}
