import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import {
  ExclusionForm,
  LimitsForm,
  SessionReminderForm,
} from "@/components/rg/responsible-gaming-forms";
import { DateTime } from "@/components/ui/date-time";
import { getDb } from "@/db/client";
import { currentUser } from "@/lib/auth/current-user";
import { rgExclusionLabels } from "@/lib/rg/model";
import { getResponsibleGaming } from "@/lib/rg/settings";
import { setLimitsAction, setSessionReminderAction, startExclusionAction } from "../actions";

export const metadata: Metadata = { title: "Responsible gaming" };

export default async function ResponsibleGamingPage() {
  const user = await currentUser();
  if (!user) redirect("/signin?next=/account/responsible-gaming");
  if (user.role !== "player") {
    return (
      <>
        <h1>Responsible gaming</h1>
        <p className="card muted">Limits and breaks are for player accounts.</p>
      </>
    );
  }
  const view = await getResponsibleGaming(getDb(), user.id, new Date());
  return (
    <>
      <p className="small">
        <Link href="/account">← Account</Link>
      </p>
      <h1>Responsible gaming</h1>
      <p className="lead">
        Limits on what you buy and wager, a reminder of how long you have played, and breaks.
      </p>
      {view.exclusion && (
        <p className="alert error" role="status" data-testid="exclusion-in-force">
          {rgExclusionLabels[view.exclusion.kind]} in force since{" "}
          <DateTime value={view.exclusion.startsAt} />,{" "}
          {view.exclusion.endsAt ? (
            <>
              until <DateTime value={view.exclusion.endsAt} />
            </>
          ) : (
            "with no end date"
          )}
          . Rounds, purchases and redemptions are refused until then; nobody can end it early.
        </p>
      )}
      <h2>Limits</h2>
      <LimitsForm limits={view.limits} action={setLimitsAction} />
      <h2>Session reminder</h2>
      <SessionReminderForm
        minutes={view.sessionReminderMinutes}
        action={setSessionReminderAction}
      />
      <h2>Take a break</h2>
      <p className="muted">
        A cool-off lasts 1 day to 6 weeks; a self-exclusion 6 months, 1 or 5 years, or for good.
        While it lasts you cannot play, buy coins or redeem. A new break may only end later than one
        in force.
      </p>
      <ExclusionForm action={startExclusionAction} />
    </>
  );
}
