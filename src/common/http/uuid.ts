const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An id from a path that is not a UUID names nothing: callers answer it like a missing one. */
export const isUuid = (value: string): boolean => UUID.test(value);
