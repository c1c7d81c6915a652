import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import LedgerLoading from "@/app/(public)/ledger/(list)/loading";
import PageError from "@/app/error";
import GlobalError from "@/app/global-error";

// A server error as the browser receives it: Next.js keeps the message on the server and sends
// the digest its log files it under.
const serverError = Object.assign(new Error("connect ECONNREFUSED 10.0.0.7:5432"), {
  digest: "2471621841",
});
const retry = () => {};

describe("the error boundaries", () => {
  it("the global one is a whole document of its own, with the notice", () => {
    const html = renderToStaticMarkup(createElement(GlobalError, { error: serverError, retry }));
    expect(html).toMatch(
      /^<html lang="en"><head><title>Something went wrong · Prizeledger<\/title><\/head><body><main>/,
    );
    expect(html).toContain('role="alert"');
    expect(html).toContain("<h1");
    expect(html).toContain(">2471621841</code>");
    expect(html).toContain("Try again");
    expect(html).toContain('href="/"');
  });

  it("never shows the error's own message", () => {
    for (const boundary of [GlobalError, PageError]) {
      const html = renderToStaticMarkup(createElement(boundary, { error: serverError, retry }));
      expect(html).not.toContain("ECONNREFUSED");
    }
  });

  it("a client-side error has no digest, so no reference is offered", () => {
    const html = renderToStaticMarkup(createElement(PageError, { error: new Error("x"), retry }));
    expect(html).toContain("Something went wrong");
    expect(html).not.toContain("error-reference");
  });
});

describe("the loading state", () => {
  it("says what is on its way, to screen readers too", () => {
    const html = renderToStaticMarkup(createElement(LedgerLoading));
    expect(html).toBe('<p class="loading-notice" role="status">Loading the public ledger…</p>');
  });
});
