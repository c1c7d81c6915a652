"use client";

import { useActionState } from "react";
import type { FormAction, FormState } from "@/lib/actions/form-state";

/**
 * useActionState for the prize and drop forms, with the number of answers so far as a fourth
 * value. React resets a form after its action, which leaves controlled selects (kind, pool
 * prizes, allocation) showing their first option while state says otherwise; keying the form on
 * the number remounts it from state instead.
 */
export function useNumberedActionState(action: FormAction) {
  const [answer, formAction, pending] = useActionState<
    { state: FormState; submission: number },
    FormData
  >(
    async (prev, form) => ({
      state: await action(prev.state, form),
      submission: prev.submission + 1,
    }),
    {
      state: {},
      submission: 0,
    },
  );
  return [answer.state, formAction, pending, answer.submission] as const;
}
