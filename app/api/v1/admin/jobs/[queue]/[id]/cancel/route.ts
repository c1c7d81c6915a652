import { getDb } from "@/db/client";
import { jobChangeResponse } from "@/lib/api/admin-jobs";
import { respond } from "@/lib/api/respond";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { apiRoute, requestContext } from "@/lib/http/api-handler";
import { cancelJob } from "@/lib/jobs/manage-jobs";

type Params = { params: Promise<{ queue: string; id: string }> };

export const POST = apiRoute<Params>(async (request, context) => {
  const admin = requireRole(await apiCaller(request), "admin");
  const { queue, id } = await context.params;
  const change = await cancelJob(
    getDb(),
    { queue, jobId: id },
    { adminId: admin.id },
    { ...requestContext(request), tokenId: admin.tokenId },
  );
  return respond(jobChangeResponse, change);
});
