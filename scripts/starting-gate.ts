import { createServer, type Server } from "node:http";

// While `npm start` applies migrations and loads the demo shop, workerd serves on internal ports and the
// public ports answer this: 503 problem+json with Retry-After, never a 500 and never a half-loaded shop.
const BODY = JSON.stringify({
  type: "https://edge-commerce.dev/problems/service-unavailable",
  title: "Service Unavailable",
  status: 503,
  detail: "the platform is starting (applying migrations, loading the demo shop); try again in a moment",
});

export type Gate = { close: () => Promise<void> };

export async function openGate(host: string, ports: number[]): Promise<Gate> {
  const servers: Server[] = [];
  for (const port of ports) {
    const server = createServer((req, res) => {
      req.resume();
      res.writeHead(503, { "content-type": "application/problem+json", "retry-after": "1", connection: "close" });
      res.end(BODY);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, resolve);
    });
    servers.push(server);
  }
  return {
    close: async () => {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.close(() => resolve());
              s.closeAllConnections();
            }),
        ),
      );
    },
  };
}
