/** Time as the flow sees it; tests inject their own to walk retry schedules without waiting. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
