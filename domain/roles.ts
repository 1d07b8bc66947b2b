/** The roles a caller can hold. What each may do is declared in api/access.ts. */
export const ROLES = ['front_desk', 'coder', 'biller', 'analyst', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (r: unknown): r is Role => typeof r === 'string' && (ROLES as readonly string[]).includes(r);
