// Argo CD's failures as one typed error, and the short reasons the gadget's 8x8 matrix scrolls.
// Argo CD answers errors as grpc-gateway's runtimeError `{error, code, message}` (swagger
// definitions/runtimeError) where `code` is the gRPC status code; the HTTP status follows the
// gRPC code (grpc-gateway's HTTPStatusFromCode: 3 -> 400, 7 -> 403, 9 -> 400, 16 -> 401, 5 -> 404).

export class ArgoError extends Error {
  readonly code = "ARGOCD_FAILED";
  constructor(
    /** "POST /api/v1/applications/web/sync" */
    readonly request: string,
    /** HTTP status, or 0 when no answer came (network, timeout). */
    readonly status: number,
    /** Argo CD's gRPC code from the error body, when it sent one. */
    readonly grpcCode: number | null,
    /** Argo CD's own message, or what went wrong on the way. */
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(`Argo CD ${request}: ${status === 0 ? "" : `HTTP ${status}: `}${detail}`, options);
    this.name = "ArgoError";
  }
}

/** gRPC codes Argo CD uses for the refusals we tell apart (google.golang.org/grpc/codes). */
export const GRPC = Object.freeze({
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  FAILED_PRECONDITION: 9,
  UNAUTHENTICATED: 16,
});

/** A refusal's reason for the gadget's display, in the words the team reads on the matrix. */
export function shortReason(err: unknown): string {
  if (!(err instanceof ArgoError)) return "BRIDGE ERROR";
  const text = err.detail.toLowerCase();
  // server/application/application.go: codes.FailedPrecondition "another operation is already in progress"
  if (text.includes("already in progress")) return "IN PROGRESS";
  // the same file: codes.PermissionDenied "cannot sync: blocked by sync window"
  if (text.includes("sync window")) return "SYNC WINDOW";
  if (err.status === 403 || err.grpcCode === GRPC.PERMISSION_DENIED) return "NO PERMISSION";
  if (err.status === 401 || err.grpcCode === GRPC.UNAUTHENTICATED) return "ARGO LOGIN FAILED";
  if (err.status === 404 || err.grpcCode === GRPC.NOT_FOUND) return "NO SUCH APP";
  if (err.status === 0) return "ARGO UNREACHABLE";
  return "ARGO ERROR";
}
