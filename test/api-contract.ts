import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { openApiDocument } from "@/lib/api/openapi";
import type { ApiRoute, Method } from "./api-routes";

/**
 * Checks real answers of the API's route handlers against the OpenAPI document that
 * lib/api/openapi.ts generates: the status must be one the document lists for that path and
 * method, the content type one it lists for that status, and a JSON body must match the schema
 * it gives (compiled with ajv, JSON Schema 2020-12). The authorisation matrix and the
 * hostile-input test run every answer they get through it, so the document cannot drift from
 * what the routes send, on success or on error.
 */

/** Auth.js's own endpoints serve its browser flows; they are not part of the documented API. */
export const UNDOCUMENTED = new Set(["/api/auth/[...nextauth]"]);

const DOCUMENT_ID = "https://prizeledger.invalid/openapi.json";

const document = openApiDocument();
const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false });
addFormats(ajv);
// The document as a whole is no JSON Schema, but its schemas refer to each other through it: its
// own top-level fields are declared as inert keywords, and only the schemas within are compiled.
ajv.addVocabulary(Object.keys(document));
ajv.addSchema(document, DOCUMENT_ID, undefined, false);

type DocumentedResponse = { content?: Record<string, unknown> };
type DocumentedOperation = {
  security: Array<Record<string, string[]>>;
  responses: Record<string, DocumentedResponse>;
};

/** `/api/v1/drops/[dropId]/claims` as the document writes it: `/api/v1/drops/{dropId}/claims`. */
export const documentPath = (pattern: string) => pattern.replace(/\[(\w+)\]/g, "{$1}");

const pointer = (...segments: string[]) =>
  segments.map((s) => s.replaceAll("~", "~0").replaceAll("/", "~1")).join("/");

export function documentedOperation(
  pattern: string,
  method: Method,
): DocumentedOperation | undefined {
  const paths = document.paths as Record<string, Record<string, DocumentedOperation>>;
  return paths[documentPath(pattern)]?.[method.toLowerCase()];
}

/** Route handlers the document lacks, and documented operations no handler serves. */
export function documentCoverage(routes: ApiRoute[]): { undocumented: string[]; stale: string[] } {
  const served = routes
    .filter((route) => !UNDOCUMENTED.has(route.pattern))
    .flatMap((route) =>
      (Object.keys(route.handlers) as Method[]).map((m) => `${m} ${documentPath(route.pattern)}`),
    );
  const documented = Object.entries(document.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
  );
  return {
    undocumented: served.filter((op) => !documented.includes(op)),
    stale: documented.filter((op) => !served.includes(op)),
  };
}

/** Why an answer is not what the document says, or undefined when it is. */
export function responseProblem(
  pattern: string,
  method: Method,
  answer: { status: number; body: string; contentType?: string },
): string | undefined {
  if (UNDOCUMENTED.has(pattern)) return undefined;
  const operation = documentedOperation(pattern, method);
  if (!operation) return "the document has no such operation";
  const documented = operation.responses[String(answer.status)];
  if (!documented) return `status ${answer.status} is not documented`;
  if (!documented.content) {
    return answer.body === "" ? undefined : `a ${answer.status} has no body in the document`;
  }
  const mediaType = answer.contentType?.split(";")[0]?.trim() ?? "";
  if (!(mediaType in documented.content)) {
    return `content type ${answer.contentType} is not documented for ${answer.status}`;
  }
  if (mediaType !== "application/json") return undefined;
  const validate = ajv.getSchema(
    `${DOCUMENT_ID}#/${pointer("paths", documentPath(pattern), method.toLowerCase(), "responses", String(answer.status), "content", "application/json", "schema")}`,
  );
  if (!validate) return "the documented schema does not compile";
  if (validate(JSON.parse(answer.body))) return undefined;
  return ajv.errorsText(validate.errors, { dataVar: "body" });
}
