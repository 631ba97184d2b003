import { FakeSNTP } from "./io";
export default FakeSNTP;
