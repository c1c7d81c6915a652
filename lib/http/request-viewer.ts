import "server-only";
import { cookies, headers } from "next/headers";
import { TZ_COOKIE, type Viewer, viewerFrom } from "@/lib/locale";

/** The viewer of the request being rendered: Accept-Language's locale, the tz cookie's zone. */
export async function requestViewer(): Promise<Viewer> {
  return viewerFrom(
    (await headers()).get("accept-language"),
    (await cookies()).get(TZ_COOKIE)?.value,
  );
}
