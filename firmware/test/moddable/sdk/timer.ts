import { FakeTimer } from "./io";
export default FakeTimer;
