"use client";

import { useActionState } from "react";
import {
  createWebhookEndpointAction,
  replayWebhookDeliveryAction,
  rotateWebhookSecretAction,
  setWebhookEndpointEnabledAction,
} from "@/app/(admin)/actions";
import { FormMessages, useFieldErrors } from "@/components/ui/form-messages";
import type { FormState } from "@/lib/actions/form-state";
import { webhookEventLabels, webhookEventTypes } from "@/lib/webhooks/model";

/** A secret the server will not show again. */
function SecretOnce({ secret }: { secret: string | undefined }) {
  if (!secret) return null;
  return (
    <div className="alert info">
      <p className="small">Signing secret (Standard Webhooks):</p>
      <p className="hash" data-testid="webhook-secret">
        {secret}
      </p>
    </div>
  );
}

export function CreateWebhookEndpointForm() {
  const [state, action, pending] = useActionState<FormState<{ secret: string }>, FormData>(
    createWebhookEndpointAction,
    {},
  );
  const e = state.fieldErrors ?? {};
  const fields = useFieldErrors(e);
  return (
    <form action={action} className="card stack" aria-label="Add an endpoint" noValidate>
      <FormMessages state={state} />
      <SecretOnce secret={state.data?.secret} />
      <label>
        URL
        <input
          {...fields.field("url")}
          type="url"
          maxLength={2000}
          placeholder="https://operator.example/hooks"
          defaultValue={state.values?.url}
        />
        {fields.error("url")}
      </label>
      <fieldset className="stack" style={{ border: "1px solid var(--line)", borderRadius: 10 }}>
        <legend>Events</legend>
        {webhookEventTypes.map((type) => (
          <label key={type} className="checkbox">
            <input type="checkbox" {...fields.field("eventTypes")} value={type} defaultChecked />
            <span>
              <code>{type}</code> <span className="small muted">{webhookEventLabels[type]}</span>
            </span>
          </label>
        ))}
        {fields.error("eventTypes")}
      </fieldset>
      <div>
        <button type="submit" disabled={pending}>
          {pending ? "Adding…" : "Add endpoint"}
        </button>
      </div>
    </form>
  );
}

export function WebhookEndpointForms({ id, enabled }: { id: string; enabled: boolean }) {
  const [toggled, toggle, toggling] = useActionState<FormState, FormData>(
    setWebhookEndpointEnabledAction.bind(null, id, !enabled),
    {},
  );
  const [rotated, rotate, rotating] = useActionState<FormState<{ secret: string }>, FormData>(
    rotateWebhookSecretAction.bind(null, id),
    {},
  );
  return (
    <div className="stack">
      <div className="row">
        <form action={toggle}>
          <button type="submit" className={enabled ? "secondary" : ""} disabled={toggling}>
            {enabled ? "Disable" : "Enable"}
          </button>
        </form>
        <form action={rotate}>
          <button type="submit" className="secondary" disabled={rotating}>
            Rotate secret
          </button>
        </form>
      </div>
      {toggled.error && (
        <p className="alert error" role="alert">
          {toggled.error}
        </p>
      )}
      <FormMessages state={rotated} />
      <SecretOnce secret={rotated.data?.secret} />
    </div>
  );
}

export function ReplayWebhookForm({ deliveryId }: { deliveryId: string }) {
  const [state, action, pending] = useActionState<FormState, FormData>(
    replayWebhookDeliveryAction.bind(null, deliveryId),
    {},
  );
  return (
    <form action={action} className="row">
      <button type="submit" className="secondary" disabled={pending}>
        Replay
      </button>
      {state.notice && (
        <span className="small" role="status">
          {state.notice}
        </span>
      )}
      {state.error && (
        <span className="field-error" role="alert">
          {state.error}
        </span>
      )}
    </form>
  );
}
