import { expect, type Page, test } from "@playwright/test";
import { getBytes, type HDNodeWallet, toUtf8String, Wallet } from "ethers";
import { createPlayer, shot, signIn } from "./helpers";

/*
 * Linking a wallet on the account page with Sign-In with Ethereum. The browser's wallet is an
 * EIP-1193 provider injected before the page loads, as a wallet extension injects
 * window.ethereum; it signs with a real ethers Wallet held by the test (a page binding), so the
 * server checks a real signature of the very message the page was given.
 */

const SIZES = [
  { name: "desktop", viewport: { width: 1280, height: 800 } },
  { name: "phone", viewport: { width: 390, height: 844 } },
];

/** window.ethereum backed by `wallet`; `signed` collects each message it was asked to sign. */
async function injectWallet(page: Page, wallet: HDNodeWallet, signed: string[]): Promise<void> {
  await page.exposeBinding("__testWalletSign", async (_source, hexMessage: string) => {
    const message = toUtf8String(getBytes(hexMessage));
    signed.push(message);
    return wallet.signMessage(message);
  });
  await page.addInitScript((address: string) => {
    const sign = (window as unknown as { __testWalletSign: (m: string) => Promise<string> })
      .__testWalletSign;
    (window as unknown as { ethereum: unknown }).ethereum = {
      isTestWallet: true,
      async request({ method, params }: { method: string; params?: unknown[] }) {
        if (method === "eth_requestAccounts" || method === "eth_accounts") return [address];
        if (method === "eth_chainId") return "0x7a69";
        if (method === "personal_sign") {
          const [message, from] = params as [string, string];
          if (from.toLowerCase() !== address.toLowerCase()) throw new Error("unknown account");
          return sign(message);
        }
        throw Object.assign(new Error(`unsupported method ${method}`), { code: 4200 });
      },
    };
  }, wallet.address);
}

for (const size of SIZES) {
  test(`a player links the browser's wallet and unlinks it (${size.name})`, async ({
    page,
    request,
  }) => {
    await page.setViewportSize(size.viewport);
    const player = await createPlayer(request, `wallet-${size.name}`);
    const wallet = Wallet.createRandom();
    const signed: string[] = [];
    await injectWallet(page, wallet, signed);
    await signIn(page, player.email, player.password);
    await page.goto("/account");
    const section = page.getByTestId("wallet-link");
    await expect(section.getByRole("heading", { name: "Link a wallet" })).toBeVisible();
    await expect(
      section.getByRole("button", { name: "Link with my browser wallet" }),
    ).toBeVisible();
    await shot(page, `wallet-link-01-ready-${size.name}`);

    await section.getByRole("button", { name: "Link with my browser wallet" }).click();
    await expect(section.getByRole("heading", { name: "Linked wallet" })).toBeVisible();
    await expect(section.getByTestId("linked-address")).toHaveText(wallet.address);
    // What the wallet signed: this site, the payout chain, the statement, a nonce and an expiry.
    expect(signed).toHaveLength(1);
    const message = signed[0] ?? "";
    expect(message).toContain(
      `${new URL(page.url()).host} wants you to sign in with your Ethereum account:`,
    );
    expect(message).toContain(wallet.address);
    expect(message).toContain("Prizeledger prize payouts");
    expect(message).toContain("Chain ID: 31337");
    expect(message).toMatch(/Nonce: [0-9a-f]{24}/);
    expect(message).toMatch(/Expiration Time: /);
    await shot(page, `wallet-link-02-linked-${size.name}`);

    await section.getByRole("button", { name: "Unlink this wallet" }).click();
    await expect(section.getByRole("heading", { name: "Link a wallet" })).toBeVisible();
    await shot(page, `wallet-link-03-unlinked-${size.name}`);
  });
}

test("without a browser wallet, the player signs the message elsewhere and pastes the signature; a wallet of another account is refused", async ({
  page,
  request,
}) => {
  const wallet = Wallet.createRandom();
  const owner = await createPlayer(request, "wallet-owner");
  const other = await createPlayer(request, "wallet-other");

  const linkByHand = async (email: string, password: string) => {
    await signIn(page, email, password);
    await page.goto("/account");
    const section = page.getByTestId("wallet-link");
    await expect(section.getByRole("button", { name: "Link with my browser wallet" })).toHaveCount(
      0,
    );
    await section.getByLabel("Wallet address").fill(wallet.address.toLowerCase());
    await section.getByRole("button", { name: "Get the message to sign" }).click();
    const messageBox = section.getByLabel("Message to sign (valid for 10 minutes)");
    await expect(messageBox).toContainText("Prizeledger prize payouts");
    const message = await messageBox.inputValue();
    await section.getByLabel("Signature").fill(await wallet.signMessage(message));
    return section;
  };

  await test.step("a mistyped signature is refused beside its field", async () => {
    const section = await linkByHand(owner.email, owner.password);
    await section.getByLabel("Signature").fill(`0x${"ab".repeat(65)}`);
    await section.getByRole("button", { name: "Link this wallet" }).click();
    await expect(
      section.getByText("The signature is not the address's signature of this message"),
    ).toBeVisible();
    await shot(page, "wallet-link-04-bad-signature");
  });

  await test.step("the right signature links it", async () => {
    const section = await linkByHand(owner.email, owner.password);
    await shot(page, "wallet-link-05-manual");
    await section.getByRole("button", { name: "Link this wallet" }).click();
    await expect(section.getByTestId("linked-address")).toHaveText(wallet.address);
  });

  await test.step("another account cannot link the same wallet", async () => {
    await page.context().clearCookies();
    const section = await linkByHand(other.email, other.password);
    await section.getByRole("button", { name: "Link this wallet" }).click();
    await expect(section.getByText("This wallet is linked to another account")).toBeVisible();
    await expect(section.getByTestId("linked-address")).toHaveCount(0);
    await shot(page, "wallet-link-06-linked-elsewhere");
  });
});
