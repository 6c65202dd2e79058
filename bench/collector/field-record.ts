/**
 * An object with one key per field of a list, in the list's order. The counter records (net/dev counters, /proc/stat
 * times, softnet rows) are built this way from the field lists their parsers declare, so each list is written once
 * and the record's key order — result.json's — is the list's.
 */

/**
 * The one type assertion of the counter records: the loop sets every key of `fields`, which makes the object a
 * `Record<K, V>` by construction, but TypeScript cannot follow a loop over keys into a record type (the same limit
 * as figure-groups.ts `assemble`). Callers annotate the record type they build, so a field list that misses a key
 * of it fails to compile.
 */
export function fieldRecord<const K extends string, V>(fields: readonly K[], value: (field: K, index: number) => V): Record<K, V> {
  const out: Partial<Record<K, V>> = {};
  for (const [index, field] of fields.entries()) out[field] = value(field, index);
  return out as Record<K, V>;
}
