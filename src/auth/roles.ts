/** The roles of DESIGN.md (Security). `bank` may only feed card events. */
export const ROLES = ['admin', 'supervisor', 'investigator', 'analyst', 'auditor', 'bank'] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);

/** A user name: letters, digits and `._@-`, 1 to 64 characters (it appears in the audit log and URLs). */
export const USER_NAME_PATTERN = /^[A-Za-z0-9._@-]{1,64}$/;
/** A unit or handler id as users carry them. */
export const UNIT_PATTERN = /^[\p{L}\p{N} ._-]{1,64}$/u;
