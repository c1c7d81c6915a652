import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { ApiTokenForm } from "@/components/account/api-token-form";
import { DisplayNameForm } from "@/components/account/display-name-form";
import { ProfileForm } from "@/components/account/profile-form";
import { PushControl } from "@/components/account/push-control";
import { WalletLinkForm } from "@/components/account/wallet-link-form";
import { PreferencesForm } from "@/components/notifications/preferences-form";
import { DateTime } from "@/components/ui/date-time";
import { TableScroll } from "@/components/ui/table-scroll";
import { getDb } from "@/db/client";
import { listApiTokens } from "@/lib/auth/api-tokens";
import { currentUser } from "@/lib/auth/current-user";
import { TOKEN_TTL_CHOICES } from "@/lib/auth/model";
import { getProfile } from "@/lib/auth/profile";
import { countryName } from "@/lib/geo/model";
import { getNotificationPreferences } from "@/lib/notifications/preferences";
import { getWalletLink } from "@/lib/payouts/link-wallet";
import { getPushState } from "@/lib/push/subscriptions";
import { pushOptions } from "@/lib/push/vapid";
import {
  beginWalletLinkAction,
  createTokenAction,
  declareProfileAction,
  linkWalletAction,
  renameAccountAction,
  revokeTokenAction,
  saveNotificationPreferencesAction,
  signOutEverywhereAction,
  subscribePushAction,
  unlinkWalletAction,
  unsubscribePushAction,
} from "./actions";

export const metadata: Metadata = { title: "Account" };

export default async function AccountPage() {
  const user = await currentUser();
  if (!user) redirect("/signin?next=/account");
  const [tokens, profile, wallet, push, preferences] = await Promise.all([
    listApiTokens(getDb(), user.id),
    getProfile(getDb(), user.id),
    user.role === "player" ? getWalletLink(getDb(), user.id) : null,
    user.role === "player" ? getPushState(getDb(), user.id, pushOptions()) : null,
    user.role === "player" ? getNotificationPreferences(getDb(), user.id) : null,
  ]);
  const needsRegion = !profile?.region;
  const needsAdult = !profile?.adultDeclaredAt;
  return (
    <>
      <h1>Account</h1>
      <p className="lead">
        {user.email} · {user.role}
      </p>

      <section className="card" data-testid="display-name" style={{ marginBottom: 16 }}>
        <h3>Display name</h3>
        <p className="muted">How the site shows you: in the header, in mails and to admins.</p>
        <DisplayNameForm current={user.displayName} action={renameAccountAction} />
      </section>

      <section className="card" data-testid="profile" style={{ marginBottom: 16 }}>
        <h3>Profile</h3>
        <p>
          Country of residence:{" "}
          {profile?.region ? `${countryName(profile.region)} (${profile.region})` : "not declared"}
          {" · "}18 or older: {profile?.adultDeclaredAt ? "declared" : "not declared"}
        </p>
        {needsRegion || needsAdult ? (
          <>
            <p className="muted">Claims and lottery entries need both declarations.</p>
            <ProfileForm
              needsRegion={needsRegion}
              needsAdult={needsAdult}
              action={declareProfileAction}
            />
          </>
        ) : (
          <p className="muted small">To change your country, contact support.</p>
        )}
      </section>

      {user.role === "player" && (
        <section className="card" data-testid="wallet-link" style={{ marginBottom: 16 }}>
          <h3>{wallet ? "Linked wallet" : "Link a wallet"}</h3>
          <p className="muted">
            Crypto prizes are paid on chain, in tokens, to the wallet linked here. You prove the
            wallet is yours by signing a message with it (Sign-In with Ethereum); no key leaves it.
            One wallet per account, and each wallet for one account only.
          </p>
          {wallet ? (
            <>
              <p>
                <code className="hash" data-testid="linked-address">
                  {wallet.address}
                </code>
                <br />
                <span className="muted small">
                  linked <DateTime value={wallet.linkedAt} />
                </span>
              </p>
              <form action={unlinkWalletAction}>
                <button type="submit" className="secondary">
                  Unlink this wallet
                </button>
              </form>
              <p className="muted small">Prizes not yet sent wait for the next wallet you link.</p>
            </>
          ) : (
            <WalletLinkForm begin={beginWalletLinkAction} link={linkWalletAction} />
          )}
        </section>
      )}

      {push && (
        <section className="card" data-testid="push" style={{ marginBottom: 16 }}>
          <h3>Push notifications</h3>
          <p className="muted">
            Your claims, wins and deliveries as notifications on this device, even with the site
            closed. Each browser is turned on by itself.
          </p>
          <PushControl
            publicKey={push.publicKey}
            elsewhere={push.subscriptions}
            subscribe={subscribePushAction}
            unsubscribe={unsubscribePushAction}
          />
        </section>
      )}

      {preferences && (
        <section
          className="card"
          id="notification-preferences"
          data-testid="notification-preferences"
          style={{ marginBottom: 16 }}
        >
          <h3>Notifications</h3>
          <p className="muted">
            Everything shows under the bell in the app. Choose what also comes by email, and by push
            on the devices you allow.
          </p>
          <PreferencesForm preferences={preferences} action={saveNotificationPreferencesAction} />
        </section>
      )}

      <div className="grid two">
        <section className="card">
          <h3>Two-factor authentication</h3>
          <p>
            {user.twoFactorEnabled ? (
              <span className="badge anchored">on</span>
            ) : (
              <span className="badge pending">off</span>
            )}{" "}
            <Link href="/account/security">
              {user.twoFactorEnabled ? "Manage two-factor" : "Set up two-factor"}
            </Link>
          </p>
        </section>

        {user.role === "player" && (
          <section className="card">
            <h3>Sweeps Coins and play</h3>
            <p>
              <Link href="/account/responsible-gaming">Responsible gaming</Link>: limits, session
              reminder, cool-off and self-exclusion.
            </p>
            <p>
              <Link href="/account/identity">Identity</Link>: declared before redeeming Sweeps
              Coins.
            </p>
          </section>
        )}

        <section className="card">
          <h3>Sessions</h3>
          <p>Signs out every browser where this account is signed in, this one included.</p>
          <form action={signOutEverywhereAction}>
            <button type="submit" className="secondary">
              Sign out of all sessions
            </button>
          </form>
        </section>
      </div>

      <section>
        <h2>API tokens</h2>
        <p className="muted">
          For the REST API (see the <a href="/api/docs">API reference</a>): send{" "}
          <code>Authorization: Bearer &lt;token&gt;</code>. A token acts as you until it expires or
          you revoke it.
        </p>
        {tokens.length === 0 ? (
          <p className="card muted">No tokens yet.</p>
        ) : (
          <TableScroll label="API tokens">
            <table>
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Created</th>
                  <th>Expires</th>
                  <th>Last used</th>
                  <th>Status</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {tokens.map((token) => (
                  <tr key={token.id} data-testid="token-row">
                    <td>{token.name}</td>
                    <td>
                      <DateTime value={token.createdAt} />
                    </td>
                    <td>
                      <DateTime value={token.expiresAt} />
                    </td>
                    <td>{token.lastUsedAt ? <DateTime value={token.lastUsedAt} /> : "never"}</td>
                    <td>
                      <span className={`badge ${token.status === "active" ? "anchored" : "ended"}`}>
                        {token.status}
                      </span>
                    </td>
                    <td>
                      {token.status === "active" && (
                        <form action={revokeTokenAction.bind(null, token.id)}>
                          <button
                            type="submit"
                            className="secondary"
                            aria-label={`Revoke ${token.name}`}
                          >
                            Revoke
                          </button>
                        </form>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
        <h3>New token</h3>
        <ApiTokenForm choices={TOKEN_TTL_CHOICES} action={createTokenAction} />
      </section>
    </>
  );
}
