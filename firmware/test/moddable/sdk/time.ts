import { FakeTime } from "./io";
export default FakeTime;
