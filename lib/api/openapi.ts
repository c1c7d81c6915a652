import { z } from "zod";
import { type ErrorCode, errorStatus } from "@/lib/errors/app-error";
import { MAX_JSON_BYTES } from "@/lib/http/api-handler";
import { accounts } from "./accounts";
import { adminAccounts } from "./admin-accounts";
import { adminDrops } from "./admin-drops";
import { adminJobs } from "./admin-jobs";
import { adminPrizes } from "./admin-prizes";
import { adminRedemptions } from "./admin-redemptions";
import { analytics } from "./analytics";
import { audit } from "./audit";
import { adminCatalog, catalog } from "./catalog";
import { claims } from "./claims";
import { deliveries } from "./deliveries";
import { drops } from "./drops";
import { health } from "./health";
import { ledger } from "./ledger";
import { lottery } from "./lottery";
import { notifications } from "./notifications";
import { push } from "./push";
import { adminQueue, queue } from "./queue";
import { redemptions } from "./redemptions";
import { regions } from "./regions";
import { reports } from "./reports";
import { responsibleGaming } from "./responsible-gaming";
import { gamesResource } from "./rounds";
import { tokens } from "./tokens";
import { wallet } from "./wallet";
import { walletLink } from "./wallet-link";
import { webhooks } from "./webhooks";
import {
  type Access,
  accessRoles,
  errorBody,
  METHODS,
  type Operation,
  type Reply,
  type Resource,
} from "./wire";

/**
 * The public API's OpenAPI 3.1 document, generated from the zod schemas of ./*.ts: request
 * bodies and queries as the API reads them (`io: "input"`), responses as it writes them. Shared
 * schemas (those with a `.meta({ id })`) become components, referred to by $ref.
 */

const reference: Resource = {
  name: "Reference",
  description: "This document; read it as a page at /api/docs.",
  paths: {
    "/api/v1/openapi.json": {
      get: {
        summary: "This OpenAPI 3.1 document",
        access: "public",
        replies: {
          200: {
            description: "OK",
            json: z.looseObject({
              openapi: z.literal("3.1.0"),
              paths: z.record(z.string(), z.unknown()),
            }),
          },
        },
      },
    },
  },
};

export const resources: Resource[] = [
  accounts,
  tokens,
  drops,
  claims,
  queue,
  lottery,
  redemptions,
  deliveries,
  notifications,
  catalog,
  responsibleGaming,
  walletLink,
  push,
  wallet,
  gamesResource,
  ledger,
  adminPrizes,
  adminDrops,
  adminQueue,
  adminRedemptions,
  adminCatalog,
  adminAccounts,
  adminJobs,
  analytics,
  audit,
  regions,
  reports,
  webhooks,
  health,
  reference,
];

type JsonSchema = Record<string, unknown>;
type Components = Record<string, JsonSchema>;

/**
 * Dates are sent as ISO 8601 text; a value transformed on parsing (an address checksummed) is
 * sent as the text it was read from; formats say what the long regexes zod adds would say again.
 */
function tidy(ctx: { zodSchema: z.core.$ZodType; jsonSchema: JsonSchema }): void {
  const json = ctx.jsonSchema;
  const def = ctx.zodSchema._zod.def;
  if (def.type === "pipe" && "in" in def && Object.keys(json).length === 0) {
    const { $schema: _, ...input } = z.toJSONSchema(def.in as z.ZodType, { io: "input" });
    Object.assign(json, input);
  }
  if (def.type === "date") {
    json.type = "string";
    json.format = "date-time";
  }
  if (json.format === "date-time" || json.format === "uuid" || json.format === "email") {
    delete json.pattern;
  }
  if (json.type === "integer" && json.minimum === Number.MIN_SAFE_INTEGER) delete json.minimum;
  if (json.type === "integer" && json.maximum === Number.MAX_SAFE_INTEGER) delete json.maximum;
}

const toComponentRefs = (value: unknown): JsonSchema =>
  JSON.parse(JSON.stringify(value).replaceAll('"#/$defs/', '"#/components/schemas/'));

/** A zod schema as JSON Schema, its shared parts moved into `components`. */
function jsonSchema(schema: z.ZodType, io: "input" | "output", components: Components): JsonSchema {
  const {
    $schema: _,
    $defs,
    ...root
  } = z.toJSONSchema(schema, {
    target: "draft-2020-12",
    io,
    unrepresentable: "any",
    override: tidy,
  });
  for (const [id, def] of Object.entries($defs ?? {})) {
    const body = toComponentRefs(def);
    const known = components[id];
    if (known && JSON.stringify(known) !== JSON.stringify(body)) {
      throw new Error(`Schema ${id} is described two ways`);
    }
    components[id] = body;
  }
  return toComponentRefs(root);
}

function accessErrors(access: Access): Partial<Record<ErrorCode, string>> {
  if (access === "public") return {};
  return {
    unauthenticated: "no valid token or session, or the account is suspended",
    ...(access === "account" ? {} : { forbidden: "the caller's role may not do this" }),
    two_factor_required: "an admin or auditor without two-factor on",
  };
}

const bodyErrors: Partial<Record<ErrorCode, string>> = {
  bad_request: "the body is not a JSON object",
  invalid_input: "a field is missing or wrong (error.field names it)",
  payload_too_large: `the body is over ${MAX_JSON_BYTES / 1024} KiB`,
  unsupported_media_type: "the body is declared as another type than JSON",
};

function parameters(
  where: "path" | "query" | "header",
  schema: z.ZodObject | undefined,
  components: Components,
) {
  if (!schema) return [];
  const json = jsonSchema(schema, "input", components) as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === "path" || (json.required ?? []).includes(name),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

function content(reply: Reply, components: Components) {
  return {
    ...(reply.json
      ? { "application/json": { schema: jsonSchema(reply.json, "output", components) } }
      : {}),
    ...(reply.text ? { [reply.text]: { schema: { type: "string" } } } : {}),
  };
}

function errorReplies(errors: Partial<Record<ErrorCode, string>>) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of Object.keys(errors) as ErrorCode[]) {
    const status = errorStatus[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, codes]) => [
      String(status),
      {
        description: codes.map((code) => `${code}: ${errors[code]}`).join("; "),
        content: {
          "application/json": {
            schema: {
              allOf: [
                { $ref: "#/components/schemas/Error" },
                { properties: { error: { properties: { code: { enum: codes } } } } },
              ],
            },
          },
        },
      },
    ]),
  );
}

function operation(method: string, path: string, op: Operation, components: Components) {
  const roles = accessRoles[op.access];
  const errors = {
    ...accessErrors(op.access),
    ...(op.body ? bodyErrors : {}),
    ...(op.query ? { invalid_input: bodyErrors.invalid_input } : {}),
    ...op.errors,
  };
  const params = [
    ...parameters("path", op.path, components),
    ...parameters("query", op.query, components),
    ...parameters("header", op.headers, components),
  ];
  return {
    operationId: `${method}${path.replaceAll(/[^A-Za-z0-9]+/g, "-")}`.replace(/-$/, ""),
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    security: roles.length === 0 ? [] : [{ bearer: [...roles] }, { session: [...roles] }],
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(op.body || op.textBody
      ? {
          requestBody: {
            required: true,
            content: {
              ...(op.textBody
                ? {
                    [op.textBody.mediaType]: {
                      schema: { type: "string", description: op.textBody.description },
                    },
                  }
                : {}),
              ...(op.body
                ? { "application/json": { schema: jsonSchema(op.body, "input", components) } }
                : {}),
            },
          },
        }
      : {}),
    responses: {
      ...Object.fromEntries(
        Object.entries(op.replies).map(([status, reply]) => [
          status,
          {
            description: reply?.description ?? "",
            ...(reply?.json || reply?.text ? { content: content(reply, components) } : {}),
          },
        ]),
      ),
      ...errorReplies(errors),
    },
  };
}

function buildDocument() {
  const components: Components = {};
  jsonSchema(errorBody, "output", components);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const resource of resources) {
    for (const [path, ops] of Object.entries(resource.paths)) {
      for (const method of METHODS) {
        const op = ops[method];
        if (!op) continue;
        paths[path] ??= {};
        paths[path][method] = { tags: [resource.name], ...operation(method, path, op, components) };
      }
    }
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Prizeledger API",
      version: "1.0.0",
      description:
        `Prize drops and redemptions. Errors are always {error: {code, message}} with a fitting status. ` +
        `JSON bodies are at most ${MAX_JSON_BYTES / 1024} KiB, sent as application/json and must be a JSON object. ` +
        "An operation's security lists the roles that may call it; admins and auditors need two-factor on. " +
        "A readable reference is at /api/docs.",
    },
    servers: [{ url: "/" }],
    tags: resources.map((r) => ({ name: r.name, description: r.description })),
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description: "A token from POST /api/v1/tokens",
        },
        session: {
          type: "apiKey",
          in: "cookie",
          name: "authjs.session-token",
          description: "The browser's signed-in session",
        },
      },
      schemas: Object.fromEntries(
        Object.entries(components).sort(([a], [b]) => a.localeCompare(b)),
      ),
    },
  };
}

export type OpenApiDocument = ReturnType<typeof buildDocument>;

let built: OpenApiDocument | undefined;

/** Built on first use and kept: the schemas do not change while the process runs. */
export function openApiDocument(): OpenApiDocument {
  built ??= buildDocument();
  return built;
}
