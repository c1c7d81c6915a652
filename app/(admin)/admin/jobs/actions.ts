"use server";

import { headers } from "next/headers";
import { getDb } from "@/db/client";
import type { FormState } from "@/lib/actions/form-state";
import { runAction } from "@/lib/actions/run-action";
import { retryDelivery } from "@/lib/delivery/retry-delivery";
import { clientInfo } from "@/lib/http/client-info";
import { cancelJob, retryJob } from "@/lib/jobs/manage-jobs";

const refused = "Only admins with two-factor on can retry or cancel jobs";

// No revalidatePath: the row a button sits in leaves the page once its job or delivery is no
// longer dead, and the outcome shown in its place would go with it. The admin reloads to follow.

/** One admin change to one job, as the page's buttons post it. */
async function changeJob(
  change: typeof retryJob | typeof cancelJob,
  target: { queue: string; jobId: string },
  notice: string,
): Promise<FormState> {
  return runAction({ allow: ["admin"], refused }, async ({ user }) => {
    await change(
      getDb(),
      { queue: String(target.queue), jobId: String(target.jobId) },
      { adminId: user.id },
      clientInfo(await headers()),
    );
    return { notice };
  });
}

/** Retries a dead job: it goes back to its queue (a dead delivery starts over). */
export async function retryJobAction(
  queue: string,
  jobId: string,
  _prev: FormState,
  _form: FormData,
): Promise<FormState> {
  return changeJob(retryJob, { queue, jobId }, "Retried: the job is back in its queue");
}

/** Cancels a pending or retrying job, or dismisses a dead one. */
export async function cancelJobAction(
  queue: string,
  jobId: string,
  _prev: FormState,
  _form: FormData,
): Promise<FormState> {
  return changeJob(cancelJob, { queue, jobId }, "Cancelled");
}

/** Retries a dead delivery: pending again, with a new delivery job. */
export async function retryDeliveryAction(
  redemptionId: string,
  _prev: FormState,
  _form: FormData,
): Promise<FormState> {
  return runAction({ allow: ["admin"], refused }, async ({ user }) => {
    await retryDelivery(
      getDb(),
      { redemptionId: String(redemptionId), adminId: user.id },
      clientInfo(await headers()),
    );
    return { notice: "Retried: the delivery is pending again" };
  });
}
