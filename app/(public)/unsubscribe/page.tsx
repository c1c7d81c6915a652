import type { Metadata } from "next";
import { unsubscribeAction } from "@/app/(public)/actions";
import { UnsubscribeForm } from "@/components/notifications/unsubscribe-form";
import { notificationEventLabels, notificationEvents } from "@/lib/notifications/model";

export const metadata: Metadata = { title: "Stop notification emails" };

/**
 * Where the link at the foot of each notification email leads. Opening it changes nothing (mail
 * scanners open links); the button does.
 */
export default async function UnsubscribePage({
  searchParams,
}: {
  searchParams: Promise<{ token?: string | string[]; event?: string | string[] }>;
}) {
  const { token, event } = await searchParams;
  // An unknown event is passed on as it is, and refused by the action like a bad token.
  const only = typeof event === "string" ? event : "";
  const known = notificationEvents.find((e) => e === only);
  const label = known && notificationEventLabels[known];
  return (
    <>
      <h1>Stop notification emails</h1>
      <p className="lead">
        {label
          ? `Only emails of this kind stop: ${label.toLowerCase()}.`
          : "Every notification email stops."}{" "}
        You will still see your claims, wins and deliveries in the app, under the bell, and you can
        choose again on your account page.
      </p>
      <UnsubscribeForm
        token={typeof token === "string" ? token : ""}
        event={only}
        action={unsubscribeAction}
      />
    </>
  );
}
