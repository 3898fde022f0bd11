/** What a route answers: an HTTP status and a JSON body (the spec's statuses: 200, 400, 401). */
export interface Reply {
  status: number;
  body: unknown;
}

export function ok(body: unknown): Reply {
  return { status: 200, body };
}

/** Failures other than 400/401 are HTTP 200 with an `error` string, as on a real meter. */
export function failure(error: string): Reply {
  return { status: 200, body: { error } };
}
