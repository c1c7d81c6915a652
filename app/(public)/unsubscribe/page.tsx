import type { Metadata } from "next";
import { unsubscribeAction } from "@/app/(public)/actions";
import { UnsubscribeForm } from "@/components/notifications/unsubscribe-form";

export const metadata: Metadata = { title: "Stop notification emails" };

/**
 * Where the link at the foot of each notification email leads. Opening it changes nothing (mail
 * scanners open links); the button does.
 */
export default async function UnsubscribePage({
  searchParams,
}: {
  searchParams: Promise<{ token?: string | string[] }>;
}) {
  const { token } = await searchParams;
  return (
    <>
      <h1>Stop notification emails</h1>
      <p className="lead">
        You will still see your claims, wins and deliveries in the app, under the bell.
      </p>
      <UnsubscribeForm token={typeof token === "string" ? token : ""} action={unsubscribeAction} />
    </>
  );
}
