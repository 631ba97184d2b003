// "embedded:io/socket/tcp/tls" for XS tests: the fake TLS socket (net.ts) as the module's default.
import { FakeTLSSocket } from "./net";
export default FakeTLSSocket;
