export default async function globalTeardown() {
  await globalThis.__LENDLAB_SERVICES__?.stop();
}
