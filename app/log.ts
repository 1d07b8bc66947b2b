/** One-line JSON logs for the services. Ids and codes only: never names, birth dates or member ids. */
export function log(level: 'info' | 'warn' | 'error', msg: string, meta: object = {}): void {
  const line = JSON.stringify({ at: new Date().toISOString(), level, msg, ...meta });
  (level === 'info' ? console.log : console.error)(line);
}
