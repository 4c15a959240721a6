/** BullMQ priorities (1 runs first): someone waiting beats a list refresh, which beats a greedy sweep. */
export const PRIORITY = {
  /** A person is waiting on the answer (the API waits a bounded time). */
  demand: 1,
  search: 2,
  refresh: 10,
  background: 20,
} as const;
