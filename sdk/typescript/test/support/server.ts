import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A request as the test server saw it. */
export interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

export type Handler = (request: Seen, response: ServerResponse) => void | Promise<void>;

/** A scripted HTTP server on a random loopback port that records every request. */
export interface TestServer {
  url: string;
  seen: Seen[];
  close(): Promise<void>;
}

export async function startServer(handler: Handler): Promise<TestServer> {
  const seen: Seen[] = [];
  const server = createServer(async (incoming, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) {
      chunks.push(chunk as Buffer);
    }

    const url = new URL(incoming.url ?? "/", "http://localhost");
    const request: Seen = {
      method: incoming.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      headers: incoming.headers,
      body: Buffer.concat(chunks).toString("utf8"),
    };
    seen.push(request);
    try {
      await handler(request, response);
    } catch (error) {
      response.writeHead(599, { "Content-Type": "text/plain" }).end(`test handler failed: ${String(error)}`);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

export function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "Content-Type": "application/json", ...headers }).end(JSON.stringify(body));
}

export function problem(response: ServerResponse, status: number, code: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): void {
  response
    .writeHead(status, { "Content-Type": "application/problem+json", ...headers })
    .end(JSON.stringify({ type: "about:blank", title: `Problem ${code}`, status, code, traceId: `trace-${code.toLowerCase()}`, ...extra }));
}

/** A token answer as the API gives it. */
export function tokens(access: string, refresh: string, expiresIn = 900) {
  return {
    accessToken: access,
    refreshToken: refresh,
    tokenType: "Bearer",
    expiresIn,
    user: { id: "00000000-0000-0000-0000-000000000001", email: "ada@example.com", name: "Ada", roles: ["learner"] },
  };
}

export const profile = {
  id: "00000000-0000-0000-0000-000000000001",
  email: "ada@example.com",
  name: "Ada",
  bio: null,
  roles: ["learner"],
  createdAt: "2026-01-01T00:00:00+00:00",
};
