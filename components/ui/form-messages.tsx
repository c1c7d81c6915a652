import { useId } from "react";
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

type FieldErrors = Record<string, string | undefined> | undefined;

/**
 * Ties each field's error to its input, so a screen reader reads the error with the field and
 * knows the field is wrong: spread `field(name)` (or `describe(name)`, for an input named
 * otherwise) on the input, put `error(name)` beside it.
 * A form that says its fields' errors in one place gives that element `id={idOf(place)}` and
 * passes `place` as `shownAt`. `prefix` keeps the ids apart when a page shows a form many times.
 */
export function fieldErrorLinks(prefix: string, errors: FieldErrors) {
  const idOf = (name: string) => `${prefix}-${name}-error`;
  return {
    idOf,
    describe(name: string, shownAt = name) {
      return errors?.[name]
        ? { "aria-invalid": true as const, "aria-describedby": idOf(shownAt) }
        : {};
    },
    /** The input's name with describe(name): `<input {...field("email")} type="email" />`. */
    field(name: string) {
      return { name, ...this.describe(name) };
    },
    error(name: string) {
      const message = errors?.[name];
      return message ? (
        <span id={idOf(name)} className="field-error">
          {message}
        </span>
      ) : null;
    },
  };
}

export type FieldErrorLinks = ReturnType<typeof fieldErrorLinks>;

/** fieldErrorLinks with ids of the form's own, for a component that renders a form. */
export function useFieldErrors(errors: FieldErrors) {
  return fieldErrorLinks(useId(), errors);
}
