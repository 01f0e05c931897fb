import { z } from "zod";
import pkg from "../../../../package.json" with { type: "json" };
import { COMPONENTS, OPERATIONS, type ComponentName, type OperationDoc, type ResponseDoc } from "./operations.ts";

type JsonSchema = Record<string, unknown>;

const ref = (name: ComponentName) => ({ $ref: `#/components/schemas/${name}` });

/**
 * The fields a request must carry: those whose schema refuses `undefined`. zod describes a field
 * read through `z.preprocess` (numbers that may arrive as strings) as optional on input.
 */
function requiredFields(schema: z.ZodObject): string[] {
  return Object.entries(schema.shape).filter(([, field]) => !(field as z.ZodType).safeParse(undefined).success).map(([name]) => name);
}

/** The components as JSON Schema 2020-12 (OpenAPI 3.1's dialect), referring to each other by `$ref`. */
function componentSchemas(): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  for (const io of ["input", "output"] as const) {
    const registry = z.registry<{ id: string }>();
    for (const [id, { schema, io: side }] of Object.entries(COMPONENTS)) if (side === io) registry.add(schema, { id });
    // Transforms (numbers that may arrive as strings) are described by the type they accept.
    const { schemas } = z.toJSONSchema(registry, { io, uri: (id) => `#/components/schemas/${id}`, unrepresentable: "any" });
    for (const [id, schema] of Object.entries(schemas)) {
      const { $schema: _dialect, $id: _id, ...rest } = schema as JsonSchema;
      const component: { schema: z.ZodType; description?: string } = COMPONENTS[id as ComponentName];
      const required = io === "input" && component.schema instanceof z.ZodObject ? requiredFields(component.schema) : [];
      out[id] = { ...rest, ...(required.length > 0 ? { required } : {}), ...(component.description ? { description: component.description } : {}) };
    }
  }
  return out;
}

/** Query parameters from a query schema, as sent (strings coerced, defaults filled). */
function queryParameters(query: z.ZodObject): JsonSchema[] {
  const schema = z.toJSONSchema(query, { io: "input", unrepresentable: "any" }) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(schema.properties ?? {}).map(([name, property]) => ({ name, in: "query", required: schema.required?.includes(name) ?? false, schema: property }));
}

function response({ description, json, example, media }: ResponseDoc): JsonSchema {
  if (json) return { description, content: { "application/json": { schema: ref(json), ...(example === undefined ? {} : { example }) } } };
  return { description, ...(media ? { content: { [media]: { schema: { type: "string" } } } } : {}) };
}

/** `/tests/:id` → `/tests/{id}`. */
export const openApiPath = (path: string): string => path.replace(/:(\w+)/g, "{$1}");

function operation(op: OperationDoc): JsonSchema {
  const pathParams = [...op.path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: { type: "string", minLength: 1, maxLength: 128 } }));
  const parameters = [...pathParams, ...(op.query ? queryParameters(op.query) : [])];
  const responses: Record<string, JsonSchema> = Object.fromEntries(Object.entries(op.responses).map(([status, doc]) => [status, response(doc)]));
  if (op.auth) responses["401"] = { $ref: "#/components/responses/Unauthorized" };
  return {
    operationId: op.operationId,
    summary: op.summary,
    tags: [op.tag],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(op.body ? { requestBody: { required: op.body.required, content: { "application/json": { schema: ref(op.body.json), example: op.body.example } } } } : {}),
    responses,
    ...(op.auth ? { security: [{ bearer: [] }] } : {}),
  };
}

/** The API as an OpenAPI 3.1 document (served at `GET /openapi.json`). */
export function openApiDocument(): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const op of OPERATIONS) (paths[openApiPath(op.path)] ??= {})[op.method] = operation(op);
  return {
    openapi: "3.1.0",
    info: {
      title: "Load test orchestrator",
      version: pkg.version,
      description:
        "Creates, triggers and follows distributed HTTP load tests run by drivers over Kafka. Errors answer `{error, issues}`. When the orchestrator has a token (ORCHESTRATOR_TOKEN), every POST and DELETE needs `Authorization: Bearer <token>`; reads stay open.",
    },
    tags: [{ name: "tests" }, { name: "nodes" }, { name: "health" }, { name: "dashboard" }],
    paths,
    components: {
      schemas: componentSchemas(),
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "ORCHESTRATOR_TOKEN (only when the orchestrator has one)" } },
      responses: {
        Unauthorized: {
          description: "the token is missing or wrong (only when the orchestrator has one); `WWW-Authenticate: Bearer realm=\"orchestrator\"`",
          content: { "application/json": { schema: ref("Error"), example: { error: "a valid bearer token is required (Authorization: Bearer <ORCHESTRATOR_TOKEN>)", issues: [] } } },
        },
      },
    },
  };
}
