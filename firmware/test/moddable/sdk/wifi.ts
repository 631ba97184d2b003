import { FakeWiFi } from "./io";
export default FakeWiFi;
