import type { ReactNode } from "react";
import styles from "./api-reference.module.css";

/**
 * The API reference, rendered on the server from the generated OpenAPI document alone: no script
 * of its own and nothing from another origin, so it reads the same offline and under the site's
 * Content-Security-Policy.
 */

type Schema = {
  $ref?: string;
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  examples?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: Schema | boolean;
  items?: Schema;
  anyOf?: Schema[];
  allOf?: Schema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
};
type Parameter = {
  name: string;
  in: string;
  required: boolean;
  description?: string;
  schema: Schema;
};
type Media = Record<string, { schema: Schema }>;
type Operation = {
  operationId: string;
  tags: string[];
  summary: string;
  description?: string;
  security: Array<Record<string, string[]>>;
  parameters?: Parameter[];
  requestBody?: { content: Media };
  responses: Record<string, { description: string; content?: Media }>;
};
export type ApiDocument = {
  info: { title: string; version: string; description: string };
  tags: Array<{ name: string; description: string }>;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
};

const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, "-");
const refName = (ref: string) => ref.split("/").pop() ?? ref;
const show = (value: unknown) => JSON.stringify(value);

/** One line saying what a value must be: type, format, bounds, allowed values. */
function summary(schema: Schema): ReactNode {
  if (schema.$ref) {
    const name = refName(schema.$ref);
    return <a href={`#schema-${name}`}>{name}</a>;
  }
  if (schema.anyOf) {
    return schema.anyOf.map((s, i) => (
      // biome-ignore lint/suspicious/noArrayIndexKey: alternatives have no identity of their own
      <span key={i}>
        {i > 0 && " or "}
        {summary(s)}
      </span>
    ));
  }
  const bits: string[] = [];
  if (schema.const !== undefined) bits.push(`exactly ${show(schema.const)}`);
  if (schema.enum) bits.push(`one of ${schema.enum.map(show).join(", ")}`);
  const types = [schema.type ?? []].flat();
  if (types.length > 0 && !schema.enum && schema.const === undefined) bits.push(types.join(" or "));
  if (schema.format) bits.push(schema.format);
  const range = (low?: number, high?: number, unit = "") =>
    low !== undefined && high !== undefined
      ? `${low}–${high}${unit}`
      : low !== undefined
        ? `≥ ${low}${unit}`
        : high !== undefined
          ? `≤ ${high}${unit}`
          : undefined;
  if (schema.exclusiveMinimum !== undefined) bits.push(`> ${schema.exclusiveMinimum}`);
  const bounds = [
    range(schema.minimum, schema.maximum),
    range(schema.minLength, schema.maxLength, " characters"),
    range(schema.minItems, schema.maxItems, " items"),
  ].filter(Boolean);
  bits.push(...(bounds as string[]));
  if (schema.pattern) bits.push(`matching ${schema.pattern}`);
  if (schema.default !== undefined) bits.push(`default ${show(schema.default)}`);
  const text = bits.join(", ") || "any";
  if (schema.type === "array" && schema.items) {
    return (
      <>
        {text} of {summary(schema.items)}
      </>
    );
  }
  return text;
}

/** A schema: its summary line (unless a field's line said it already), then its fields. */
function SchemaView({ schema, nested = false }: { schema: Schema; nested?: boolean }) {
  if (schema.allOf) {
    return (
      <>
        {schema.allOf.map((part, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: the parts have no identity of their own
          <SchemaView key={i} schema={part} />
        ))}
      </>
    );
  }
  const item = schema.type === "array" ? schema.items : undefined;
  const target = item?.properties ? item : schema;
  return (
    <div className={styles.schema}>
      {!nested && (
        <p className={styles.type}>
          {summary(schema)}
          {schema.description && <span className={styles.note}> — {schema.description}</span>}
        </p>
      )}
      {!nested && schema.examples && (
        <p className={styles.note}>
          Example: <code>{schema.examples.map(show).join(", ")}</code>
        </p>
      )}
      {target.properties && (
        <ul className={styles.fields}>
          {Object.entries(target.properties).map(([name, field]) => (
            <li key={name}>
              <code className={styles.field}>{name}</code>
              {target.required?.includes(name) ? (
                <span className={styles.required}>required</span>
              ) : null}{" "}
              <FieldView schema={field} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A field: its summary inline, its own fields nested below. */
function FieldView({ schema }: { schema: Schema }) {
  const nested =
    schema.properties ??
    (schema.type === "array" && schema.items?.properties ? schema.items.properties : undefined);
  return (
    <>
      <span className={styles.type}>{summary(schema)}</span>
      {schema.description && <span className={styles.note}> — {schema.description}</span>}
      {schema.examples && (
        <span className={styles.note}>
          {" "}
          (e.g. <code>{schema.examples.map(show).join(", ")}</code>)
        </span>
      )}
      {nested && <SchemaView schema={schema.items ?? schema} nested />}
    </>
  );
}

function Security({ security }: { security: Operation["security"] }) {
  const roles = [...new Set(security.flatMap((s) => Object.values(s).flat()))];
  if (roles.length === 0) return <p className={styles.security}>Public: no sign-in needed.</p>;
  return (
    <p className={styles.security}>
      Roles: <strong>{roles.join(", ")}</strong>, with a bearer token or a signed-in session
      {roles.some((r) => r !== "player") && " (admins and auditors with two-factor on)"}.
    </p>
  );
}

function OperationView({ method, path, op }: { method: string; path: string; op: Operation }) {
  return (
    <article id={op.operationId} className={styles.operation}>
      <h3 className={styles.signature}>
        <span className={`${styles.method} ${styles[method] ?? ""}`}>{method.toUpperCase()}</span>
        <code>{path}</code>
      </h3>
      <p>{op.summary}</p>
      {op.description && <p className={styles.note}>{op.description}</p>}
      <Security security={op.security} />
      {op.parameters && (
        <>
          <h4>Parameters</h4>
          <ul className={styles.fields}>
            {op.parameters.map((p) => (
              <li key={`${p.in}:${p.name}`}>
                <code className={styles.field}>{p.name}</code>{" "}
                <span className={styles.where}>{p.in}</span>
                {p.required && <span className={styles.required}>required</span>}{" "}
                <FieldView schema={{ ...p.schema, description: p.description }} />
              </li>
            ))}
          </ul>
        </>
      )}
      {op.requestBody && (
        <>
          <h4>Request body</h4>
          {Object.entries(op.requestBody.content).map(([type, media]) => (
            <div key={type}>
              <p className={styles.media}>{type}</p>
              <SchemaView schema={media.schema} />
            </div>
          ))}
        </>
      )}
      <h4>Responses</h4>
      <dl className={styles.responses}>
        {Object.entries(op.responses).map(([status, response]) => (
          <div key={status}>
            <dt className={Number(status) >= 400 ? styles.error : styles.success}>{status}</dt>
            <dd>
              <p>{response.description}</p>
              {Object.entries(response.content ?? {}).map(([type, media]) => (
                <div key={type}>
                  <p className={styles.media}>{type}</p>
                  {type === "application/json" && <SchemaView schema={media.schema} />}
                </div>
              ))}
            </dd>
          </div>
        ))}
      </dl>
    </article>
  );
}

export function ApiReference({
  document,
  errorStatus,
}: {
  document: ApiDocument;
  errorStatus: Record<string, number>;
}) {
  const operations = Object.entries(document.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ path, method, op })),
  );
  const byTag = document.tags.map((tag) => ({
    ...tag,
    operations: operations.filter((o) => o.op.tags.includes(tag.name)),
  }));
  return (
    <div className={styles.reference}>
      <nav aria-label="API reference" className={styles.toc}>
        <p className={styles.tocTitle}>Resources</p>
        <ul>
          {byTag.map((tag) => (
            <li key={tag.name}>
              <a href={`#${slug(tag.name)}`}>{tag.name}</a>
              <ul>
                {tag.operations.map(({ path, method, op }) => (
                  <li key={op.operationId}>
                    <a href={`#${op.operationId}`}>
                      <span className={styles.tocMethod}>{method.toUpperCase()}</span> {path}
                    </a>
                  </li>
                ))}
              </ul>
            </li>
          ))}
          <li>
            <a href="#error-codes">Error codes</a>
          </li>
          <li>
            <a href="#schemas">Schemas</a>
          </li>
        </ul>
      </nav>
      <div className={styles.body}>
        <h1>{document.info.title}</h1>
        <p className="lead">{document.info.description}</p>
        <p>
          The machine-readable description: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>{" "}
          (OpenAPI 3.1, version {document.info.version}).
        </p>
        {byTag.map((tag) => (
          <section key={tag.name} id={slug(tag.name)} aria-labelledby={`${slug(tag.name)}-title`}>
            <h2 id={`${slug(tag.name)}-title`}>{tag.name}</h2>
            <p className="muted">{tag.description}</p>
            {tag.operations.map(({ path, method, op }) => (
              <OperationView key={op.operationId} method={method} path={path} op={op} />
            ))}
          </section>
        ))}
        <section id="error-codes" aria-labelledby="error-codes-title">
          <h2 id="error-codes-title">Error codes</h2>
          <p className="muted">
            Every error is <code>{"{error: {code, message}}"}</code> with the status below; each
            operation lists the codes it may answer.
          </p>
          <table>
            <thead>
              <tr>
                <th>Code</th>
                <th>Status</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(errorStatus).map(([code, status]) => (
                <tr key={code}>
                  <td>
                    <code>{code}</code>
                  </td>
                  <td>{status}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section id="schemas" aria-labelledby="schemas-title">
          <h2 id="schemas-title">Schemas</h2>
          {Object.entries(document.components.schemas).map(([name, schema]) => (
            <article key={name} id={`schema-${name}`} className={styles.operation}>
              <h3>{name}</h3>
              <SchemaView schema={schema} />
            </article>
          ))}
        </section>
      </div>
    </div>
  );
}
