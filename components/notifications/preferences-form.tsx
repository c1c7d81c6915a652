"use client";

import { useActionState, useState } from "react";
import { FormMessages } from "@/components/ui/form-messages";
import type { FormAction, FormState } from "@/lib/actions/form-state";
import {
  type ChannelChoice,
  type NotificationEvent,
  type NotificationPreferences,
  notificationEventLabels,
  notificationEvents,
} from "@/lib/notifications/model";

const allTo = (on: boolean) =>
  Object.fromEntries(notificationEvents.map((e) => [e, { email: on, push: on }])) as Record<
    NotificationEvent,
    ChannelChoice
  >;

/**
 * Each event's email and push, and "in-app only", which turns them all off (and, cleared, all on
 * again, as a starting point). The app's own notifications are not a choice: they always come.
 */
export function PreferencesForm({
  preferences,
  action: save,
}: {
  preferences: NotificationPreferences;
  action: FormAction;
}) {
  const [state, action, pending] = useActionState<FormState, FormData>(save, {});
  const [inAppOnly, setInAppOnly] = useState(preferences.inAppOnly);
  const [events, setEvents] = useState(preferences.events);
  const toggle = (event: NotificationEvent, channel: keyof ChannelChoice) =>
    setEvents((now) => ({ ...now, [event]: { ...now[event], [channel]: !now[event][channel] } }));
  return (
    <form action={action} className="stack" data-testid="notification-preferences-form">
      <FormMessages state={state} />
      <label className="checkbox">
        <input
          name="inAppOnly"
          type="checkbox"
          value="yes"
          checked={inAppOnly}
          data-testid="in-app-only"
          onChange={(e) => {
            setInAppOnly(e.target.checked);
            setEvents(allTo(!e.target.checked));
          }}
        />
        <span>In the app only: no emails, no push notifications</span>
      </label>
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Tell me when…</th>
              <th scope="col">Email</th>
              <th scope="col">Push</th>
            </tr>
          </thead>
          <tbody>
            {notificationEvents.map((event) => (
              <tr key={event}>
                <th scope="row">{notificationEventLabels[event]}</th>
                {(["email", "push"] as const).map((channel) => (
                  <td key={channel}>
                    <input
                      type="checkbox"
                      name={`${channel}.${event}`}
                      value="yes"
                      aria-label={`${channel} — ${notificationEventLabels[event]}`}
                      data-testid={`${channel}-${event}`}
                      checked={!inAppOnly && events[event][channel]}
                      disabled={inAppOnly}
                      onChange={() => toggle(event, channel)}
                    />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <button type="submit" disabled={pending} data-testid="save-notification-preferences">
        {pending ? "Saving…" : "Save notification choices"}
      </button>
    </form>
  );
}
