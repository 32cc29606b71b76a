const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `id` can be a uuid column's value: anything else would make PostgreSQL refuse the query, not miss. */
export function isUuid(id: string): boolean {
  return UUID.test(id);
}
