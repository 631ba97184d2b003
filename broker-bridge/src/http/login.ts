// Who is logged in on a request, for read routes that need a login (GET /api/audit.csv). The
// security service decorates the HTTP server with loginOf (security/http-auth.ts); without it
// nobody is logged in, so such routes refuse everyone (secure by default).

import type { FastifyInstance, FastifyRequest } from "fastify";

export interface Login {
  username: string;
  role: string;
  via: "session" | "token";
}

export type LoginOf = (req: FastifyRequest) => Login | null;

declare module "fastify" {
  interface FastifyInstance {
    loginOf?: LoginOf;
  }
}

export function loginOf(http: FastifyInstance, req: FastifyRequest): Login | null {
  return http.loginOf?.(req) ?? null;
}
