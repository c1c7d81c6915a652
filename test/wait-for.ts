/** Polls a condition until it holds (the test's own timeout is the only limit). */
export async function waitFor<T>(check: () => Promise<T | undefined | null | false>): Promise<T> {
  for (;;) {
    const value = await check();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
