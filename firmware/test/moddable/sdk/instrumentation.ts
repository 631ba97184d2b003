import { FakeInstrumentation } from "./io";
export default FakeInstrumentation;
