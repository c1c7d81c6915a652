/**
 * What a server action answers a form through useActionState: one shape for every form, safe
 * to import in the browser. A refusal says why in words (`error`, or `fieldErrors` beside the
 * inputs) and by its stable code; `data` is whatever else the form shows (a token shown once,
 * recovery codes, an import report…).
 */
export type FormState<T = never> = {
  /** The refusal or failure, in words, shown atop the form. */
  error?: string;
  /** The stable code of the refusal (`ErrorCode`), for tests and for forms that branch on it. */
  code?: string;
  /** A finer reason under `code` where the domain gives one (a claim's `not_eligible:region`). */
  reason?: string;
  /** Messages shown beside the inputs, by input name. */
  fieldErrors?: Record<string, string | undefined>;
  /** What was typed, for the form to show again after a refusal. */
  values?: Record<string, string>;
  /** A confirmation to show; the form stays usable. */
  notice?: string;
  data?: T;
};

/** A server action driving a form, as pages hand it to client components (bound args applied). */
export type FormAction<T = never> = (prev: FormState<T>, form: FormData) => Promise<FormState<T>>;

/** The named text fields of a form, "" for one it does not carry (files count as missing). */
export function formFields<K extends string>(
  form: FormData,
  names: readonly K[],
): Record<K, string> {
  const text = (name: K) => {
    const value = form.get(name);
    return typeof value === "string" ? value : "";
  };
  return Object.fromEntries(names.map((name) => [name, text(name)])) as Record<K, string>;
}

/**
 * Params for a form's own zod rule (a confirmation box, a field only the form requires): it is
 * checked once the rest of the input is valid, so the form asks for one thing at a time.
 */
export const onceValid = {
  when: (payload: { issues: readonly unknown[] }) => payload.issues.length === 0,
};
