"use client";

import { useActionState } from "react";
import { useFieldErrors } from "@/components/ui/form-messages";
import type { FormAction, FormState } from "@/lib/actions/form-state";
import type { DeliveryStatus, ShipmentStep } from "@/lib/delivery/model";

const BUTTONS: Record<ShipmentStep, { label: string; pending: string; hint: string }> = {
  packed: {
    label: "Mark packed",
    pending: "Marking packed…",
    hint: "The address is confirmed: pack the parcel, then mark it packed.",
  },
  shipped: {
    label: "Mark shipped",
    pending: "Marking shipped…",
    hint: "The player sees the carrier and the tracking number at once.",
  },
  delivered: {
    label: "Mark delivered",
    pending: "Marking delivered…",
    hint: "Once the carrier confirms delivery. This writes the delivery to the public ledger.",
  },
};

function TextField({
  name,
  label,
  maxLength,
  state,
}: {
  name: "carrier" | "trackingNumber";
  label: string;
  maxLength: number;
  state: FormState;
}) {
  const fields = useFieldErrors(state.fieldErrors);
  return (
    <label>
      {label}
      <input
        maxLength={maxLength}
        autoComplete="off"
        defaultValue={state.values?.[name]}
        {...fields.field(name)}
      />
      {fields.error(name)}
    </label>
  );
}

/**
 * A parcel's next step, and only that one: packed, then shipped (with carrier and tracking
 * number), then delivered. The step is posted with the form, so an admin on a stale page is told
 * the parcel moved on rather than recording a step twice.
 */
export function ShipmentStepForm({
  step,
  status,
  action: advance,
}: {
  /** The step due next, or null when none is (no address yet, delivered, cancelled). */
  step: ShipmentStep | null;
  /** The delivery's status: says why no step is due. */
  status: DeliveryStatus;
  /** The shipment action bound to the redemption shown. */
  action: FormAction;
}) {
  const [state, action, pending] = useActionState<FormState, FormData>(advance, {});
  const button = step ? BUTTONS[step] : null;
  return (
    <form
      action={action}
      className="stack"
      aria-label="Shipment step"
      noValidate
      data-testid="shipment-form"
    >
      <h4>Shipment</h4>
      {state.notice && (
        <p className="alert success" role="status" data-testid="shipment-notice">
          {state.notice}
        </p>
      )}
      {state.error && (
        <p className="alert error" role="alert" data-testid="shipment-error" data-code={state.code}>
          {state.error}
        </p>
      )}
      {button && step ? (
        <>
          <p className="small muted">{button.hint}</p>
          <input type="hidden" name="step" value={step} />
          {step === "shipped" && (
            <>
              <TextField name="carrier" label="Carrier" maxLength={60} state={state} />
              <TextField
                name="trackingNumber"
                label="Tracking number"
                maxLength={40}
                state={state}
              />
            </>
          )}
          <button type="submit" disabled={pending}>
            {pending ? button.pending : button.label}
          </button>
        </>
      ) : (
        !state.notice && (
          <p className="small muted" data-testid="shipment-idle">
            {status === "waiting"
              ? "Nothing to pack yet: the player has not confirmed a shipping address."
              : status === "delivered"
                ? "Delivered: the parcel has no step left."
                : "The delivery ended: this parcel must not go out."}
          </p>
        )
      )}
    </form>
  );
}
