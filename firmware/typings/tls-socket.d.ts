// The SDK's ECMA-419 TLS socket ($(MODDABLE)/examples/io/tcp/tlssocket/tlssocket.js, module
// "embedded:io/socket/tcp/tls"). mcconfig maps the module name to that JavaScript file in its
// tsconfig paths, and tsc then finds no types (TS7016; seen with SDK 8.2.3), though
// typings/embedded_io/socket/tls.d.ts declares them; an ambient declaration in `types` wins over
// the path. Only what adapters/moddable/mqtts.ts uses: the class, handed to the MQTT client.

declare module "embedded:io/socket/tcp/tls" {
  export default class TLSSocket {
    constructor(options: { host: string; port: number; secure?: { certificate?: ArrayBuffer; serverName?: string; verify?: boolean }; TCP: { io: unknown } });
    close(): void;
  }
}
