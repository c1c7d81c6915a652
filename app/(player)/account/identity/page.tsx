import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { IdentityForm } from "@/components/catalog/identity-form";
import { DateTime } from "@/components/ui/date-time";
import { getDb } from "@/db/client";
import { currentUser } from "@/lib/auth/current-user";
import { getIdentity } from "@/lib/catalog/identity";
import { declareIdentityAction } from "../actions";

export const metadata: Metadata = { title: "Identity" };

export default async function IdentityPage() {
  const user = await currentUser();
  if (!user) redirect("/signin?next=/account/identity");
  if (user.role !== "player") redirect("/account");
  const identity = await getIdentity(getDb(), user.id);
  return (
    <>
      <p className="small">
        <Link href="/account">← Account</Link>
      </p>
      <h1>Identity</h1>
      <p className="lead">
        Sweepstakes rules ask who receives a prize bought with Sweeps Coins: your legal name, date
        of birth (you must be 18 or older) and postal address.
      </p>
      {identity.declaredAt ? (
        <p className="alert success" data-testid="identity-declared">
          Declared on <DateTime value={identity.declaredAt} />. Declaring again replaces it.
        </p>
      ) : (
        <p className="alert info">Not declared yet: redemptions are refused until you do.</p>
      )}
      <IdentityForm identity={identity} action={declareIdentityAction} />
    </>
  );
}
