import { describe, expect, it } from "vitest";
import { auditCsvStream, csvField, csvRecord } from "./csv";
import type { AuditEventView } from "./model";

describe("CSV export", () => {
  it("quotes fields as RFC 4180 asks and leaves plain ones alone", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField("cr\rhere")).toBe('"cr\rhere"');
    expect(csvField(null)).toBe("");
    expect(csvField(undefined)).toBe("");
    expect(csvField(42)).toBe("42");
    expect(csvRecord(["a", null, "b,c"])).toBe('a,,"b,c"\r\n');
  });

  it("defuses cells a spreadsheet would run as a formula", () => {
    expect(csvField('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    expect(csvField("+1+1")).toBe("'+1+1");
    expect(csvField("-2+3")).toBe("'-2+3");
    expect(csvField("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvField("\tcmd")).toBe("'\tcmd");
    expect(csvField("\r=1")).toBe('"\'\r=1"');
    expect(csvField("a=b")).toBe("a=b");
  });

  it("streams a header and one record per event", async () => {
    const event: AuditEventView = {
      id: 7,
      at: "2026-01-02T03:04:05.000Z",
      actor: { id: "00000000-0000-4000-8000-000000000001", email: "a@x.test", displayName: "A" },
      action: "account_suspend",
      subject: "user:1",
      outcome: "ok",
      reason: null,
      ip: "10.0.0.1",
      userAgent: "=cmd|' /C calc'!A0",
      tokenId: null,
      requestId: "req-7",
      data: { before: { suspended: false }, after: { suspended: true } },
    };
    async function* events() {
      yield event;
      yield { ...event, id: 8 };
    }
    const text = await new Response(auditCsvStream(events())).text();
    const lines = text.split("\r\n");
    expect(lines[0]).toBe(
      "id,at,actor_id,actor_email,action,subject,outcome,reason,ip,user_agent,token_id,request_id,data",
    );
    expect(lines[1]).toBe(
      `7,2026-01-02T03:04:05.000Z,${event.actor?.id},a@x.test,account_suspend,user:1,ok,,10.0.0.1,'=cmd|' /C calc'!A0,,req-7,"{""before"":{""suspended"":false},""after"":{""suspended"":true}}"`,
    );
    expect(lines[2]?.startsWith("8,")).toBe(true);
    expect(lines[3]).toBe("");
    expect(lines).toHaveLength(4);
  });
});
