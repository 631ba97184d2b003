// A small checker for the parts of Argo CD's OpenAPI (swagger 2.0) file that the fake server
// uses: path templates, methods, declared query parameters, and JSON bodies checked against the
// definitions (types, formats, and no property the schema does not declare, so a misspelt field
// such as `info` for `infos` fails). The file is shared/data/argocd-swagger.json beside the repo.

import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import test from "ava";

interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
}

interface Parameter {
  name: string;
  in: "path" | "query" | "body" | "header";
  required?: boolean;
  type?: string;
  schema?: Schema;
}

interface Operation {
  operationId: string;
  parameters?: Parameter[];
  responses: Record<string, { schema?: Schema }>;
}

interface SwaggerFile {
  paths: Record<string, Record<string, Operation>>;
  definitions: Record<string, Schema>;
}

export interface MatchedOperation {
  template: string;
  operation: Operation;
  params: Record<string, string>;
}

/** Argo CD's own API description: $SHIPGATE_ARGOCD_SWAGGER, else shared/data/ beside the
 *  repository, else the copy kept with these fakes (so a clone alone runs the suites). */
export const SWAGGER_FILE =
  process.env.SHIPGATE_ARGOCD_SWAGGER ||
  [fileURLToPath(new URL("../../../../shared/data/argocd-swagger.json", import.meta.url)), fileURLToPath(new URL("./argocd-swagger.json", import.meta.url))].find((f) => existsSync(f)) ||
  fileURLToPath(new URL("./argocd-swagger.json", import.meta.url));

/**
 * Without the swagger file a suite cannot run; that must not pass unseen. Under CI=true it is a
 * failing test; elsewhere one skipped test whose title is the warning (ava lists it in the summary).
 */
export function suiteNeedsSwagger(suite: string): void {
  const why = `the ${suite} tests did not run: no Argo CD swagger file at ${SWAGGER_FILE} (put shared/ beside the repository or set SHIPGATE_ARGOCD_SWAGGER)`;
  if (process.env.CI === "true" || process.env.CI === "1") test(`FAILED: ${why}`, (t) => t.fail(why));
  else test.skip(`WARNING: ${why}`, () => {});
}

export class Swagger {
  readonly #file: SwaggerFile;
  readonly #templates: { template: string; re: RegExp; names: string[]; literals: number }[];

  private constructor(file: SwaggerFile) {
    this.#file = file;
    this.#templates = Object.keys(file.paths).map((template) => {
      const names: string[] = [];
      const source = template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{([^}]+)\}/g, (_m, name: string) => {
        names.push(name);
        return "([^/]+)";
      });
      return { template, re: new RegExp(`^${source}$`), names, literals: template.split("/").filter((s) => !s.startsWith("{")).length };
    });
    // The most literal template wins (/api/v1/applications/manifestsWithFiles over /{name}).
    this.#templates.sort((a, b) => b.literals - a.literals);
  }

  /** The swagger file, or null when shared/ is not beside the repository. */
  static load(file = SWAGGER_FILE): Swagger | null {
    if (!existsSync(file)) return null;
    return new Swagger(JSON.parse(readFileSync(file, "utf8")) as SwaggerFile);
  }

  match(method: string, pathname: string): MatchedOperation | null {
    for (const t of this.#templates) {
      const m = t.re.exec(pathname);
      if (m === null) continue;
      const operation = this.#file.paths[t.template]?.[method.toLowerCase()];
      if (operation === undefined) continue;
      const params: Record<string, string> = {};
      for (const [i, name] of t.names.entries()) params[name] = decodeURIComponent(m[i + 1] ?? "");
      return { template: t.template, operation, params };
    }
    return null;
  }

  /** Problems with a request: unknown path or method, undeclared query parameter, bad body. */
  checkRequest(method: string, url: URL, body: unknown): { matched: MatchedOperation | null; problems: string[] } {
    const label = `${method} ${url.pathname}`;
    const matched = this.match(method, url.pathname);
    if (matched === null) return { matched, problems: [`${label}: no such operation in the swagger file`] };
    const problems: string[] = [];
    const declared = matched.operation.parameters ?? [];
    for (const key of new Set(url.searchParams.keys())) {
      const p = declared.find((d) => d.in === "query" && d.name === key);
      if (p === undefined) problems.push(`${label}: query parameter ${key} is not declared by ${matched.operation.operationId}`);
      else if (p.type !== "array" && url.searchParams.getAll(key).length > 1) problems.push(`${label}: query parameter ${key} repeated but not an array`);
    }
    const bodyParam = declared.find((d) => d.in === "body");
    if (bodyParam === undefined) {
      if (body !== undefined) problems.push(`${label}: ${matched.operation.operationId} takes no body`);
    } else if (body === undefined) {
      if (bodyParam.required) problems.push(`${label}: ${matched.operation.operationId} requires a body`);
    } else if (bodyParam.schema) {
      problems.push(...this.checkValue(bodyParam.schema, body, `${label} body`));
    }
    return { matched, problems };
  }

  /** Problems with an answer: 200 against the operation's schema, anything else against `default`. */
  checkResponse(matched: MatchedOperation, status: number, body: unknown): string[] {
    const response = matched.operation.responses[String(status)] ?? matched.operation.responses.default;
    if (response === undefined) return [`${matched.template}: status ${status} is not declared`];
    if (response.schema === undefined) return [];
    return this.checkValue(response.schema, body, `${matched.operation.operationId} answer ${status}`);
  }

  /** One line of a streaming answer, against the 200 schema ("Stream result of ..."). */
  checkStreamLine(matched: MatchedOperation, line: unknown): string[] {
    return this.checkResponse(matched, 200, line);
  }

  definition(name: string): Schema | undefined {
    return this.#file.definitions[name];
  }

  checkValue(schema: Schema, value: unknown, at: string): string[] {
    if (schema.$ref !== undefined) {
      const name = schema.$ref.replace("#/definitions/", "");
      const def = this.#file.definitions[name];
      if (def === undefined) return [`${at}: unknown definition ${name}`];
      return this.checkValue(def, value, at);
    }
    if (value === null) return [];
    const problems: string[] = [];
    switch (schema.type) {
      case "object":
      case undefined: {
        if (schema.type === undefined && schema.properties === undefined) return [];
        if (typeof value !== "object" || Array.isArray(value)) return [`${at}: must be an object`];
        const obj = value as Record<string, unknown>;
        for (const key of schema.required ?? []) if (!(key in obj)) problems.push(`${at}.${key}: is required`);
        for (const [key, v] of Object.entries(obj)) {
          const prop = schema.properties?.[key];
          if (prop !== undefined) problems.push(...this.checkValue(prop, v, `${at}.${key}`));
          else if (typeof schema.additionalProperties === "object") problems.push(...this.checkValue(schema.additionalProperties, v, `${at}.${key}`));
          else if (schema.properties !== undefined && schema.additionalProperties !== true) problems.push(`${at}.${key}: not a property of the schema`);
        }
        return problems;
      }
      case "array":
        if (!Array.isArray(value)) return [`${at}: must be an array`];
        if (schema.items) for (const [i, item] of value.entries()) problems.push(...this.checkValue(schema.items, item, `${at}.${i}`));
        return problems;
      case "string":
        if (typeof value !== "string") return [`${at}: must be a string`];
        if (schema.format === "date-time" && Number.isNaN(Date.parse(value))) return [`${at}: must be a date-time`];
        if (schema.format === "int64" && !/^-?\d+$/.test(value)) return [`${at}: must be an int64 string`];
        return [];
      case "integer":
        // Protobuf's JSON mapping writes 64-bit integers as strings; both are accepted.
        if (typeof value === "number" ? !Number.isInteger(value) : !(typeof value === "string" && /^-?\d+$/.test(value) && schema.format === "int64")) {
          return [`${at}: must be an integer`];
        }
        return [];
      case "number":
        return typeof value === "number" ? [] : [`${at}: must be a number`];
      case "boolean":
        return typeof value === "boolean" ? [] : [`${at}: must be true or false`];
      default:
        return [];
    }
  }
}
