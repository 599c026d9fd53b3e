import { ValidateIf } from 'class-validator';

/**
 * The field may be left out, but not sent as null: class-validator's @ lets null
 * through, which would reach the database as "no value" (or a 500). Absent means absent.
 */
export const Optional = () => ValidateIf((_object, value) => value !== undefined);
