import { getDb } from "@/db/client";
import { respond } from "@/lib/api/respond";
import { paymentReviewResponse, toPaymentReviewView } from "@/lib/api/wallet";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { apiRoute, readJson, requestContext } from "@/lib/http/api-handler";
import { paymentResolutionSchema } from "@/lib/payments/model";
import { resolvePayment } from "@/lib/payments/review-payment";

/** Resolves a payment under review `{ action: "credit" | "refunded", reason }` (audited). */
export const POST = apiRoute<{ params: Promise<{ id: string }> }>(async (request, context) => {
  const admin = requireRole(await apiCaller(request), "admin");
  const resolution = paymentResolutionSchema.parse(await readJson(request));
  const review = await resolvePayment(
    getDb(),
    (await context.params).id,
    resolution,
    { ...requestContext(request), adminId: admin.id, tokenId: admin.tokenId },
    new Date(),
  );
  return respond(paymentReviewResponse, toPaymentReviewView(review));
});
