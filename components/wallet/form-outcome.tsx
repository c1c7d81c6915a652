import type { FormState } from "@/lib/actions/form-state";

/** A form's confirmation, or its refusal when no field carries it. */
export function FormOutcome({ state }: { state: FormState<unknown> }) {
  if (state.notice) {
    return (
      <p className="alert success small" role="status">
        {state.notice}
      </p>
    );
  }
  if (state.error && !state.fieldErrors) {
    return (
      <p className="alert error small" role="alert">
        {state.error}
      </p>
    );
  }
  return null;
}
