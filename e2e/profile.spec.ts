import { expect, test } from "@playwright/test";
import {
  apiToken,
  findOpenDrop,
  LAUNCH_DROP,
  otherClientIp,
  shot,
  signIn,
  uniqueEmail,
  verifyEmailViaApi,
} from "./helpers";

test("an account made through the API without declarations cannot claim until it declares its country and 18+ on the account page", async ({
  page,
  request,
}) => {
  const email = uniqueEmail("undeclared");
  const password = "correct horse battery";
  const created = await request.post("/api/v1/accounts", {
    headers: { "x-forwarded-for": otherClientIp() },
    data: { email, password },
  });
  expect(created.status(), await created.text()).toBe(201);
  await verifyEmailViaApi(request, email);
  const drop = await findOpenDrop(request, LAUNCH_DROP);
  expect(drop).toBeDefined();
  const headers = { authorization: `Bearer ${await apiToken(request, email, password)}` };

  await test.step("the claim is refused and says what to do", async () => {
    const res = await request.post(`/api/v1/drops/${drop?.id}/claims`, { headers });
    expect(res.status()).toBe(403);
    const body = (await res.json()) as { error: { code: string; reason: string; message: string } };
    expect(body.error.code).toBe("not_eligible");
    expect(body.error.reason).toBe("not_eligible:profile_incomplete");
  });

  await test.step("the account page asks for both declarations and keeps them", async () => {
    await signIn(page, email, password);
    await page.goto("/account");
    const profile = page.getByTestId("profile");
    await expect(profile).toContainText("Country of residence: not declared");
    await profile.getByRole("button", { name: "Save" }).click();
    await expect(profile.getByText("Choose your country of residence")).toBeVisible();
    await profile.getByLabel("Country of residence").selectOption("CA");
    await profile.getByLabel("I am 18 or older").check();
    await shot(page, "profile-01-declare");
    await profile.getByRole("button", { name: "Save" }).click();
    await expect(profile).toContainText("Country of residence: Canada (CA)");
    await expect(profile).toContainText("18 or older: declared");
    await expect(profile.getByRole("button", { name: "Save" })).toHaveCount(0);
    await shot(page, "profile-02-declared");
  });

  await test.step("now the claim goes through", async () => {
    const res = await request.post(`/api/v1/drops/${drop?.id}/claims`, { headers });
    expect(res.status(), await res.text()).toBe(201);
  });
});
