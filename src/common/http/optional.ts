import { ValidateIf } from 'class-validator';

/** The condition of @Optional: the field was sent (bootstrap/validation.ts recognises it by identity). */
export const isPresent = (_object: object, value: unknown): boolean => value !== undefined;

/**
 * The field may be left out, but not sent as null: class-validator's @ lets null
 * through, which would reach the database as "no value" (or a 500). Absent means absent.
 */
export const Optional = () => ValidateIf(isPresent);
