import "server-only";

type Pending<R, O> = {
  request: R;
  resolve: (outcome: O) => void;
  reject: (error: unknown) => void;
};

/** Runs a batch; one settled result per request, in order. */
export type RunBatch<R, O> = (requests: R[]) => Promise<PromiseSettledResult<O>[]>;

/**
 * Groups requests into transactions: while `maxInFlight` batches run, the requests that arrive
 * wait and then go together (up to `maxBatch`) in the next one. Under a crowd that turns hundreds
 * of commits (each a disk flush) into a few; at low load a batch is a single request.
 */
export class Batcher<R, O> {
  private queue: Pending<R, O>[] = [];
  private inFlight = 0;

  constructor(
    private readonly run: RunBatch<R, O>,
    private readonly maxBatch: number,
    private readonly maxInFlight: number,
  ) {}

  submit(request: R): Promise<O> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight++;
      this.run(batch.map((p) => p.request))
        .then(
          (settled) => {
            for (const [i, p] of batch.entries()) {
              const result = settled[i];
              if (result?.status === "fulfilled") p.resolve(result.value);
              else p.reject(result?.reason);
            }
          },
          (error) => {
            for (const p of batch) p.reject(error);
          },
        )
        .finally(() => {
          this.inFlight--;
          this.pump();
        });
    }
  }
}

/** The SQLSTATE of a database error (postgres.js's, or the one drizzle wraps as its cause). */
export function sqlStateOf(error: unknown): string | undefined {
  const { code, cause } = (error ?? {}) as { code?: unknown; cause?: { code?: unknown } };
  return [code, cause?.code].find(
    (c): c is string => typeof c === "string" && /^[0-9A-Z]{5}$/.test(c),
  );
}

/**
 * "request": refused for what a statement carried (data exception, integrity constraint
 * violation). "conflict": lost to a concurrent transaction (deadlock, serialization failure),
 * with nothing committed. Not other class-40 codes: 40003 (statement completion unknown) may
 * come after a commit.
 */
export function blameOf(sqlState: string): "request" | "conflict" | undefined {
  if (sqlState === "40P01" || sqlState === "40001") return "conflict";
  if (sqlState.startsWith("22") || sqlState.startsWith("23")) return "request";
  return undefined;
}
