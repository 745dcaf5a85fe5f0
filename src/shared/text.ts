/** Small text helpers for messages. */

/** `raw` cut to `max` characters, marked when cut: for quoting stored or foreign text in a message. */
export function excerpt(raw: string, max = 200): string {
  return raw.length <= max ? raw : `${raw.slice(0, max)}…`;
}
