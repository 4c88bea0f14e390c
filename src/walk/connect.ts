/**
 * The connection under the upgrade: DNS, TCP and TLS, each timed as its own phase. `ws` calls
 * {@link openSocket} as its `createConnection`, so the timings and the TLS certificate's expiry
 * come from the socket it really uses.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { WalkState } from './state.ts';

/** Opens the TCP (or TLS, when `secure`) socket for `ws`, recording each phase as it completes. */
export function openSocket(walk: WalkState, opts: net.NetConnectOpts & tls.ConnectionOptions, secure: boolean): net.Socket {
  const host = (opts as { host?: string }).host ?? '';
  if (net.isIP(host) !== 0) walk.enter('tcp', 'dns');
  let socket: net.Socket;
  if (secure) {
    const servername = opts.servername !== undefined && opts.servername !== '' ? opts.servername : net.isIP(host) !== 0 ? undefined : host;
    const tlsOptions: tls.ConnectionOptions = { ...opts };
    delete (tlsOptions as { path?: unknown }).path;
    if (servername === undefined) delete tlsOptions.servername;
    else tlsOptions.servername = servername;
    const tlsSocket = tls.connect(tlsOptions);
    tlsSocket.once('secureConnect', () => {
      const cert = tlsSocket.getPeerCertificate();
      const validTo = typeof cert.valid_to === 'string' ? Date.parse(cert.valid_to) : Number.NaN;
      if (!Number.isNaN(validTo)) walk.tlsCertExpiresAt = new Date(validTo).toISOString();
      if (walk.phase === 'tls') walk.enter('upgrade', 'tls');
    });
    socket = tlsSocket;
  } else {
    const { path: _path, ...rest } = opts as net.NetConnectOpts & { path?: unknown };
    socket = net.connect(rest as net.NetConnectOpts);
  }
  walk.socket = { socket, closed: new Promise<void>((resolve) => socket.once('close', () => resolve())) };
  socket.once('lookup', (error: Error | null) => {
    if (error === null && walk.phase === 'dns') walk.enter('tcp', 'dns');
  });
  socket.once('connect', () => {
    if (walk.phase === 'tcp') walk.enter(secure ? 'tls' : 'upgrade', 'tcp');
  });
  return socket;
}
