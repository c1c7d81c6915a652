import "server-only";
import http from "node:http";
import https from "node:https";
import { safeLookup } from "@/lib/webhooks/endpoint-address";

/** What a POST to an outside server came to: its status, or why there was none. */
export type OutboundAnswer = {
  statusCode: number | null;
  error: string | null;
  durationMs: number;
};

/**
 * POSTs to a URL a user or admin gave (a webhook endpoint, a browser's push service): through
 * the SSRF guard's DNS lookup unless private addresses are allowed, following no redirect,
 * reading at most `maxAnswerBytes` of an answer whose body nobody uses, and giving up after
 * `timeoutMs`. The URL itself was checked by its caller's parser.
 */
export function postOutbound(
  url: URL,
  body: string | Buffer,
  headers: Record<string, string>,
  options: { allowPrivate: boolean; timeoutMs: number; maxAnswerBytes: number },
): Promise<OutboundAnswer> {
  const started = performance.now();
  return new Promise((resolve) => {
    const client = url.protocol === "https:" ? https : http;
    let settled = false;
    const finish = (statusCode: number | null, error: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      const redirect = statusCode !== null && statusCode >= 300 && statusCode < 400;
      resolve({
        statusCode,
        error: error ?? (redirect ? "redirect not followed" : null),
        durationMs: Math.round(performance.now() - started),
      });
    };
    const request = client.request(
      url,
      {
        method: "POST",
        headers: { ...headers, "content-length": Buffer.byteLength(body) },
        lookup: options.allowPrivate ? undefined : safeLookup,
      },
      (response) => {
        const status = response.statusCode ?? null;
        let read = 0;
        response.on("data", (chunk: Buffer) => {
          read += chunk.length;
          if (read >= options.maxAnswerBytes) finish(status, null);
        });
        response.on("end", () => finish(status, null));
        response.on("error", (error) => finish(status, error.message));
      },
    );
    const timer = setTimeout(
      () => finish(null, `no answer within ${options.timeoutMs} ms`),
      options.timeoutMs,
    );
    request.on("error", (error) => finish(null, error.message));
    request.end(body);
  });
}
