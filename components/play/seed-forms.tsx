"use client";

import { useRouter } from "next/navigation";
import { useActionState, useEffect } from "react";
import { useFieldErrors } from "@/components/ui/form-messages";
import type { FormAction, FormState } from "@/lib/actions/form-state";
import type { FairnessView, RotationView } from "@/lib/fairness/model";
import styles from "./play.module.css";

/** After a change the server-rendered facts and seed list are stale: read them again. */
function useRefreshOnData(data: unknown): void {
  const router = useRouter();
  useEffect(() => {
    if (data) router.refresh();
  }, [data, router]);
}

/** Sets the client seed the next rounds use; the server seed and the nonce stay as they are. */
export function ClientSeedForm({
  clientSeed,
  action: setSeed,
}: {
  clientSeed: string;
  action: FormAction<FairnessView>;
}) {
  const [state, action, pending] = useActionState<FormState<FairnessView>, FormData>(setSeed, {});
  useRefreshOnData(state.data);
  const error = state.fieldErrors?.clientSeed ?? state.error;
  // The form's one field: a refusal of the form is said beside it too.
  const fields = useFieldErrors({ clientSeed: error });
  return (
    <form action={action} className="stack" data-testid="client-seed-form">
      <label>
        Client seed (1 to 64 printable characters, no spaces)
        <input
          key={clientSeed}
          defaultValue={state.values?.clientSeed ?? clientSeed}
          maxLength={64}
          autoComplete="off"
          spellCheck={false}
          {...fields.field("clientSeed")}
        />
        {error && (
          <span className="field-error" role="alert" id={fields.idOf("clientSeed")}>
            {error}
          </span>
        )}
      </label>
      {state.notice && !error && <p className="alert success">{state.notice}</p>}
      <button type="submit" className="secondary" disabled={pending}>
        {pending ? "Saving…" : "Set client seed"}
      </button>
    </form>
  );
}

/** Reveals the seed in play and puts the committed next seed in play. */
export function RotateSeedForm({ action: rotate }: { action: FormAction<RotationView> }) {
  const [state, action, pending] = useActionState<FormState<RotationView>, FormData>(rotate, {});
  useRefreshOnData(state.data);
  return (
    <form action={action} className="stack" data-testid="rotate-seed-form">
      <p className="small muted" style={{ margin: 0 }}>
        Rotating reveals the server seed in play, so every round played with it can be verified, and
        puts the next seed (committed in the log already) in play from nonce 0.
      </p>
      {state.error && (
        <p className="alert error" role="alert">
          {state.error}
        </p>
      )}
      {state.data && (
        <div className="alert success" data-testid="revealed-seed">
          <p style={{ margin: 0 }}>{state.notice}</p>
          <dl className={styles.facts}>
            <dt>Revealed seed</dt>
            <dd className={styles.mono}>{state.data.revealed.serverSeed}</dd>
            <dt>Its hash</dt>
            <dd className={styles.mono}>{state.data.revealed.serverSeedHash}</dd>
            <dt>Now in play</dt>
            <dd className={styles.mono}>{state.data.current.serverSeedHash}</dd>
          </dl>
        </div>
      )}
      <button type="submit" disabled={pending}>
        {pending ? "Rotating…" : "Rotate: reveal my seed"}
      </button>
    </form>
  );
}
