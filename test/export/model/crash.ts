/** Thrown by the crash wrapper: the simulated Lambda was killed (timeout) at this call. */
export class SimulatedCrash extends Error {
  override name = 'SimulatedCrash';
}

/**
 * Kills a run at its n-th outside call, either before the call takes effect or after it took
 * effect but before the caller saw the answer (a timeout right after CreateExportTask, say).
 * Once crashed, every later call fails too: the process is gone.
 */
export class CrashPlan {
  private calls = 0;
  crashed = false;

  constructor(
    private readonly crashAtCall: number | undefined,
    private readonly afterEffect: boolean,
  ) {}

  wrap<T extends object>(target: T): T {
    return new Proxy(target, {
      get: (obj, prop, receiver) => {
        const value = Reflect.get(obj, prop, receiver);
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          if (this.crashed) throw new SimulatedCrash('process already dead');
          const n = ++this.calls;
          if (n === this.crashAtCall && !this.afterEffect) {
            this.crashed = true;
            throw new SimulatedCrash(`killed before call ${n} (${String(prop)})`);
          }
          const result = await value.apply(obj, args);
          if (n === this.crashAtCall) {
            this.crashed = true;
            throw new SimulatedCrash(`killed after call ${n} (${String(prop)})`);
          }
          return result;
        };
      },
    });
  }
}
