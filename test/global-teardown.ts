export default async function globalTeardown(): Promise<void> {
  const { pg, temporal } = (globalThis as unknown as { __revcycle: { pg: { stop(): Promise<void> }; temporal: { teardown(): Promise<void> } } }).__revcycle;
  await temporal.teardown();
  await pg.stop();
}
