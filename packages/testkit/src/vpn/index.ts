import { createServer, type Server } from 'node:http';

export interface VpnCheckStandIn {
  url: string;
  /** Flip what the check answers. */
  setProtected(value: boolean): void;
  checks(): number;
  close(): Promise<void>;
}

/** A VPN check endpoint on loopback whose answer a test can flip: 200 while protected, 503 otherwise. */
export async function startVpnCheckStandIn(initiallyProtected = true): Promise<VpnCheckStandIn> {
  let protectedNow = initiallyProtected;
  let count = 0;
  const server: Server = createServer((_req, res) => {
    count++;
    res.writeHead(protectedNow ? 200 : 503, { 'Content-Type': 'application/json' });
    res.end(
      JSON.stringify({ protected: protectedNow, public_ip: protectedNow ? '198.51.100.7' : '203.0.113.9' }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/v1/publicip/ip`,
    setProtected: (value) => {
      protectedNow = value;
    },
    checks: () => count,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
