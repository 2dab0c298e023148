// JSON to embed in a page as <script type="application/json">: `<` is escaped so no value (a
// user's name, a label) can close the element and start markup; the JSON still parses the same.
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
