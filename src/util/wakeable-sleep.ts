/**
 * A poll loop's sleep that new work can cut short. A wake that comes while the loop is busy is
 * remembered, so the next sleep returns at once and no wake-up is lost between two polls.
 */
export interface WakeableSleep {
  sleep(ms: number): Promise<void>;
  wake(): void;
}

export function createWakeableSleep(): WakeableSleep {
  let wakeUp: (() => void) | null = null;
  let pendingWake = false;
  return {
    sleep(ms) {
      return new Promise<void>((resolve) => {
        if (pendingWake) {
          pendingWake = false;
          return resolve();
        }
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          wakeUp = null;
          resolve();
        }
        wakeUp = done;
      });
    },
    wake() {
      if (wakeUp) wakeUp();
      else pendingWake = true;
    },
  };
}
