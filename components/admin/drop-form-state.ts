"use client";

import { useActionState } from "react";
import type { AdminFormState } from "@/app/(admin)/actions";

type FormAction = (prev: AdminFormState, form: FormData) => Promise<AdminFormState>;
export type NumberedState = AdminFormState & { submission: number };

/**
 * useActionState for the prize and drop forms, numbering each answer. React resets a form after
 * its action, which leaves controlled selects (kind, pool prizes, allocation) showing their first
 * option while state says otherwise; keying the form on the number remounts it from state instead.
 */
export function useNumberedActionState(action: FormAction) {
  return useActionState<NumberedState, FormData>(
    async (prev, form) => ({ ...(await action(prev, form)), submission: prev.submission + 1 }),
    { submission: 0 },
  );
}
