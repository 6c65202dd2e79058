/** Tells a listener of each TLS handshake a client's connections complete, for BenchClient#onTlsHandshake. */
import type { TLSSocket } from "node:tls";

export type TlsHandshakeListener = (resumed: boolean) => void;

export class HandshakeEvents {
  #listener: TlsHandshakeListener | null = null;

  listen(listener: TlsHandshakeListener | null): void {
    this.#listener = listener;
  }

  /** Call on `secureConnect`, when isSessionReused() says what the handshake was. */
  handshake(socket: TLSSocket): void {
    this.#listener?.(socket.isSessionReused());
  }
}
