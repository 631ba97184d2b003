import { FakeNeoPixel } from "./io";
export default FakeNeoPixel;
