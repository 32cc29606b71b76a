import net from 'node:net';

/**
 * Tries to bind the port exclusively on every interface. Binding the wildcard address conflicts
 * with any existing IPv4/IPv6 listener on that port (including ones bound to 127.0.0.1 only),
 * so a success means no component can be listening there right now.
 */
export async function isPortFree(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') {
        resolve(false);
      } else {
        reject(error);
      }
    });
    server.listen({ port, exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

/**
 * Fails fast with an actionable message. Starting a component on a taken port would otherwise
 * either crash with a less obvious error or, worse, let a readiness probe succeed against
 * whatever stale process already owns the port.
 */
export async function assertPortFree(port: number, name: string, envVar?: string): Promise<void> {
  if (await isPortFree(port)) {
    return;
  }
  const remedy = envVar
    ? `stop the process holding it or set ${envVar} to another port`
    : 'stop the process holding it or choose another port';
  throw new Error(`Port ${port} needed for ${name} is in use; ${remedy}.`);
}

/** A port nothing listens on on 127.0.0.1 now (the kernel's pick), for a process a test or a bench starts. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
