import type { FormState } from "@/lib/actions/form-state";

/** A form's confirmation and its refusal, atop it. */
export function FormMessages({ state }: { state: FormState<unknown> }) {
  return (
    <>
      {state.notice && (
        <p className="alert success" role="status">
          {state.notice}
        </p>
      )}
      {state.error && (
        <p className="alert error" role="alert">
          {state.error}
        </p>
      )}
    </>
  );
}
