import { handlers } from "@/auth";
import { withRequestId } from "@/lib/http/api-handler";

// Sign-in's audit rows are written inside Auth.js, from its copy of this request's headers.
export const GET = withRequestId(handlers.GET);
export const POST = withRequestId(handlers.POST);
