import { getDb } from "@/db/client";
import { jobQueuesResponse } from "@/lib/api/admin-jobs";
import { respond } from "@/lib/api/respond";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { apiRoute } from "@/lib/http/api-handler";
import { countJobs, listJobs } from "@/lib/jobs/manage-jobs";

export const GET = apiRoute(async (request) => {
  requireRole(await apiCaller(request), "admin");
  const db = getDb();
  const [queues, jobs] = await Promise.all([countJobs(db), listJobs(db)]);
  return respond(jobQueuesResponse, { queues, jobs });
});
